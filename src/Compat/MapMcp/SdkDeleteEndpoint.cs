using System.Security.Claims;
using McpCompat.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace McpCompat.MapMcp;

/// <summary>
/// Ends a session the protocol's way: a DELETE of it, delivered in-process to the SDK's own Streamable HTTP DELETE
/// endpoint, as the given user (the SDK ends a session only for its owner). The endpoint is called directly, so its
/// authorization policy does not apply; the SDK's own user check does. A DELETE of an id the SDK does not hold also
/// answers 200: the status does not prove that a session existed.
/// </summary>
internal sealed class SdkDeleteEndpoint(IServiceProvider services, IServiceScopeFactory scopeFactory, SdkEndpoints sdkEndpoints)
{
    private static readonly ClaimsPrincipal Anonymous = new(new ClaimsIdentity());

    private RouteEndpoint[]? _endpoints;

    /// <summary>
    /// Gets the SDK's Streamable HTTP DELETE endpoints, found on first use: only a web application has endpoints, and
    /// only once they are mapped (none found is looked for again).
    /// </summary>
    public IReadOnlyList<RouteEndpoint> Endpoints
    {
        get
        {
            if (_endpoints is { } known)
            {
                return known;
            }

            var found = Find();
            _endpoints = found.Length > 0 ? found : null;
            return found;
        }
    }

    /// <summary>The SDK's DELETE endpoint mapped at <paramref name="routePattern"/> (the route of the endpoint that created a session), if any.</summary>
    public RouteEndpoint? At(string? routePattern) =>
        routePattern is null ? null : Endpoints.FirstOrDefault(e => string.Equals(e.RoutePattern.RawText, routePattern, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Sends <paramref name="endpoint"/> a DELETE of <paramref name="sessionId"/> as <paramref name="user"/> (anonymous when
    /// <see langword="null"/>), with the protocol revision and the path and route values of the request that created it
    /// where known, and returns the status code it answered.
    /// </summary>
    public async Task<int> SendAsync(RouteEndpoint endpoint, string sessionId, ClaimsPrincipal? user, string? protocolVersion, SessionOrigin? origin, CancellationToken cancellationToken)
    {
        var scope = scopeFactory.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var context = new DefaultHttpContext
            {
                RequestServices = scope.ServiceProvider,
                User = user ?? Anonymous,
                RequestAborted = cancellationToken,
            };
            context.Request.Method = HttpMethods.Delete;
            if (origin is not null)
            {
                context.Request.Path = origin.Path;
                foreach (var (key, value) in origin.RouteValues)
                {
                    context.Request.RouteValues[key] = value;
                }
            }

            context.Request.Headers[McpHeaders.SessionId] = sessionId;
            if (protocolVersion is { } version)
            {
                context.Request.Headers[McpHeaders.ProtocolVersion] = version;
            }

            context.Response.Body = Stream.Null;
            context.SetEndpoint(endpoint);
            await endpoint.RequestDelegate!(context).ConfigureAwait(false);
            return context.Response.StatusCode;
        }
    }

    private RouteEndpoint[] Find() =>
        (services.GetService<EndpointDataSource>()?.Endpoints ?? [])
            .OfType<RouteEndpoint>()
            .Where(e => e.RequestDelegate is not null && SdkEndpoints.Serves(e, HttpMethods.Delete) && sdkEndpoints.IsStreamableHttp(e))
            .ToArray();
}

