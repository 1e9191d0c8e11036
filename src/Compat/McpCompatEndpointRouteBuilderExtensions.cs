using System.Diagnostics.CodeAnalysis;
using McpCompat.Decision;
using McpCompat.Http;
using McpCompat.MapMcpCompat;
using McpCompat;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Maps a Streamable HTTP endpoint for an MCP server built on <c>ModelContextProtocol</c> /
/// <c>ModelContextProtocol.Core</c> without the SDK's AspNetCore package, with sessions McpCompat expires.
/// </summary>
public static class McpCompatEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the MCP Streamable HTTP endpoint at <paramref name="pattern"/>: POST (an <c>initialize</c> request without
    /// a session id starts a session), GET (the server's SSE stream) and DELETE (ends the session). Sessions are
    /// bound to the user that started them and ended after <see cref="McpCompatOptions.SessionIdleTimeout"/> idle.
    /// </summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <param name="pattern">The route pattern, for example <c>/mcp</c>.</param>
    /// <returns>A builder for conventions such as <c>RequireAuthorization()</c>.</returns>
    /// <exception cref="InvalidOperationException">
    /// <c>AddMcpCompat()</c> was not called, or the installed SDK lacks a member the endpoint needs (the message names it).
    /// </exception>
    [RequiresUnreferencedCode(TrimmingMessages.FindsSdkMembers)]
    [RequiresDynamicCode(TrimmingMessages.BuildsCodeForSdkTypes)]
    public static IEndpointConventionBuilder MapMcpCompat(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string pattern = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);

        var runtime = endpoints.ServiceProvider.GetService<McpCompatRuntime>()
            ?? throw new InvalidOperationException("MapMcpCompat needs McpCompat's services: call services.AddMcpServer().AddMcpCompat() first.");
        var services = endpoints.ServiceProvider;
        runtime.MarkHostedEndpoint(services.GetRequiredService<CoreTransportApi>().Shape);

        // The endpoint's services read McpCompat's settings, which the host validates when it starts (an invalid one
        // stops it there, naming the setting): they are built for the first request, never while mapping.
        var endpoint = new Lazy<McpCompatEndpoint>(services.GetRequiredService<McpCompatEndpoint>);
        return endpoints
            .Map(pattern, context => endpoint.Value.InvokeAsync(context))
            .WithMetadata(McpCompatEndpointMetadata.Instance)
            .WithDisplayName($"MCP Streamable HTTP (McpCompat) {pattern}");
    }
}
