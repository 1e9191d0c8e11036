using System.Collections.Concurrent;
using System.Security.Claims;
using McpCompat.Http;
using McpCompat.Sessions;
using McpCompat.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace McpCompat.MapMcp;

/// <summary>
/// Ends a session the protocol's way: a DELETE of that session, delivered in-process to the SDK's own DELETE endpoint
/// (the one mapped beside the endpoint that created it), as the principal that created it. The SDK then removes the
/// session, disposes it, and answers later requests with its own 404; McpCompat then stops tracking it.
/// </summary>
internal sealed class DeleteEndpointEvictor(
    SessionTracker tracker,
    IServiceProvider services,
    IServiceScopeFactory scopeFactory,
    ILogger<DeleteEndpointEvictor> logger) : ISessionEvictor
{
    private static readonly ClaimsPrincipal Anonymous = new(new ClaimsIdentity());

    private readonly ConcurrentDictionary<string, RouteEndpoint?> _deleteEndpoints = new(StringComparer.OrdinalIgnoreCase);

    public async Task<bool> EvictAsync(TrackedSession session, CancellationToken cancellationToken)
    {
        var observed = session as ObservedSession;
        var origin = observed?.Origin;
        var route = (origin?.Endpoint as RouteEndpoint)?.RoutePattern.RawText;
        var delete = route is null ? null : _deleteEndpoints.GetOrAdd(route, FindDeleteEndpoint);
        if (delete?.RequestDelegate is null || origin is null || observed is null)
        {
            Log.NoDeleteEndpoint(logger, session.Id, route);
            return false;
        }

        bool ended;
        var scope = scopeFactory.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var context = new DefaultHttpContext
            {
                RequestServices = scope.ServiceProvider,
                User = observed.Creator ?? Anonymous,
                RequestAborted = cancellationToken,
            };
            context.Request.Method = HttpMethods.Delete;
            context.Request.Path = origin.Path;
            context.Request.Headers[McpHeaders.SessionId] = session.Id;
            if (observed.ProtocolVersion is { } version)
            {
                context.Request.Headers[McpHeaders.ProtocolVersion] = version;
            }

            foreach (var (key, value) in origin.RouteValues)
            {
                context.Request.RouteValues[key] = value;
            }

            context.Response.Body = Stream.Null;
            context.SetEndpoint(delete);

            await delete.RequestDelegate(context).ConfigureAwait(false);

            ended = context.Response.StatusCode is >= 200 and < 300;
            if (!ended)
            {
                Log.EvictionRefused(logger, session.Id, context.Response.StatusCode);
            }
        }

        if (ended)
        {
            tracker.Remove(session);
        }

        return ended;
    }

    private RouteEndpoint? FindDeleteEndpoint(string rawRoute)
    {
        // Resolved on first use: only a web application has endpoints, and only after they are mapped.
        var endpoints = services.GetService<EndpointDataSource>();
        foreach (var endpoint in endpoints?.Endpoints ?? [])
        {
            if (endpoint is RouteEndpoint route &&
                string.Equals(route.RoutePattern.RawText, rawRoute, StringComparison.OrdinalIgnoreCase) &&
                endpoint.Metadata.GetMetadata<HttpMethodMetadata>() is { } methods &&
                methods.HttpMethods.Contains(HttpMethods.Delete, StringComparer.OrdinalIgnoreCase))
            {
                return route;
            }
        }

        return null;
    }
}
