using System.Diagnostics.CodeAnalysis;
using McpCompat;
using McpCompat.Gateway;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps McpCompat Gateway in front of one or more upstream MCP servers (replicas of one server).</summary>
public static class McpCompatGatewayEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the gateway at <paramref name="pattern"/>: Streamable HTTP requests (POST, GET, DELETE) are relayed to the
    /// upstream that holds their session, or the least loaded one for a new session. Sessions are bounded as McpCompat's
    /// settings say, whatever the upstream does.
    /// </summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <param name="pattern">The route pattern, for example <c>/mcp</c>.</param>
    /// <param name="upstreams">The upstream MCP endpoints, absolute <c>http</c> or <c>https</c> URLs such as <c>http://127.0.0.1:3000/mcp</c>; one per replica.</param>
    /// <returns>A builder for conventions such as <c>RequireAuthorization()</c>.</returns>
    /// <exception cref="ArgumentException">No upstream, or one that is not an absolute http(s) URL (the message names it).</exception>
    /// <exception cref="InvalidOperationException"><c>AddMcpCompatGateway()</c> was not called.</exception>
    [RequiresUnreferencedCode(TrimmingMessages.FindsSdkMembers)]
    [RequiresDynamicCode(TrimmingMessages.BuildsCodeForSdkTypes)]
    public static IEndpointConventionBuilder MapMcpCompatGateway(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string pattern, IEnumerable<Uri> upstreams)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(upstreams);

        var list = new List<GatewayUpstream>();
        foreach (var upstream in upstreams)
        {
            if (upstream is null || !upstream.IsAbsoluteUri || (upstream.Scheme != Uri.UriSchemeHttp && upstream.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException($"upstream '{upstream}' is invalid: expected an absolute http or https URL such as http://127.0.0.1:3000/mcp.", nameof(upstreams));
            }

            list.Add(new GatewayUpstream(upstream));
        }

        if (list.Count == 0)
        {
            throw new ArgumentException("MapMcpCompatGateway needs at least one upstream, such as http://127.0.0.1:3000/mcp.", nameof(upstreams));
        }

        var services = endpoints.ServiceProvider;
        var routes = services.GetService<GatewayRoutes>()
            ?? throw new InvalidOperationException("MapMcpCompatGateway needs the gateway's services: call services.AddMcpCompatGateway() first.");
        var route = new GatewayRoute(pattern, list);
        routes.Add(route);

        // The endpoint's services read McpCompat's settings, which the host validates when it starts: they are built for
        // the first request, never while mapping.
        var endpoint = new Lazy<GatewayEndpoint>(services.GetRequiredService<GatewayEndpoint>);
        return endpoints
            .Map(pattern, context => endpoint.Value.InvokeAsync(context, route))
            .WithDisplayName($"MCP gateway (McpCompat) {pattern}");
    }

    /// <summary>Maps the gateway at <paramref name="pattern"/> in front of <paramref name="upstreams"/>.</summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <param name="pattern">The route pattern, for example <c>/mcp</c>.</param>
    /// <param name="upstreams">The upstream MCP endpoints, such as <c>http://127.0.0.1:3000/mcp</c>; one per replica.</param>
    /// <returns>A builder for conventions such as <c>RequireAuthorization()</c>.</returns>
    [RequiresUnreferencedCode(TrimmingMessages.FindsSdkMembers)]
    [RequiresDynamicCode(TrimmingMessages.BuildsCodeForSdkTypes)]
    public static IEndpointConventionBuilder MapMcpCompatGateway(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string pattern, params string[] upstreams)
    {
        ArgumentNullException.ThrowIfNull(upstreams);
        var uris = new List<Uri>(upstreams.Length);
        foreach (var upstream in upstreams)
        {
            if (!Uri.TryCreate(upstream, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException($"upstream '{upstream}' is invalid: expected an absolute http or https URL such as http://127.0.0.1:3000/mcp.", nameof(upstreams));
            }

            uris.Add(uri);
        }

        return MapMcpCompatGateway(endpoints, pattern, uris);
    }
}
