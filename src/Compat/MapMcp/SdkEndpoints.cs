using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace McpCompat.MapMcp;

/// <summary>What McpCompat knows of the endpoints the SDK's <c>MapMcp</c> maps: which they are, and which serve a stream.</summary>
internal static class SdkEndpoints
{
    /// <summary>The SDK's handler types whose methods serve the endpoints <c>MapMcp</c> maps.</summary>
    public const string StreamableHttpHandler = "ModelContextProtocol.AspNetCore.StreamableHttpHandler";

    /// <summary>The handler of the legacy HTTP with SSE endpoints (<c>/sse</c>, <c>/message</c>).</summary>
    public const string LegacySseHandler = "ModelContextProtocol.AspNetCore.SseHandler";

    /// <summary>Gets a value indicating whether <paramref name="endpoint"/> is one the SDK's <c>MapMcp</c> mapped.</summary>
    public static bool IsSdkEndpoint(Endpoint endpoint) => HandlerType(endpoint) is StreamableHttpHandler or LegacySseHandler;

    /// <summary>
    /// The type of the method that serves <paramref name="endpoint"/>: the request delegate's own (MapMcp maps the SDK
    /// handler's methods as request delegates), or the handler method in the metadata (a delegate mapped through the
    /// request delegate factory).
    /// </summary>
    public static string? HandlerType(Endpoint endpoint) =>
        (endpoint.Metadata.GetMetadata<MethodInfo>() ?? endpoint.RequestDelegate?.Method)?.DeclaringType?.FullName;

    /// <summary>Gets a value indicating whether <paramref name="endpoint"/> answers <paramref name="method"/>.</summary>
    public static bool Serves(Endpoint endpoint, string method) =>
        endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains(method, StringComparer.OrdinalIgnoreCase) == true;
}
