using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace McpCompat.Http;

/// <summary>
/// What McpCompat knows of the endpoints the SDK's <c>MapMcp</c> maps: which they are (their handler types, as the probe
/// found them), and which HTTP methods they serve.
/// </summary>
internal sealed class SdkEndpoints(McpSdkReport report)
{
    private readonly Type? _streamableHttpHandler = report.Members.StreamableHttpHandlerType;
    private readonly Type? _legacySseHandler = report.Members.SseHandlerType;

    /// <summary>Gets a value indicating whether <paramref name="endpoint"/> is one the SDK's <c>MapMcp</c> mapped.</summary>
    public bool IsSdkEndpoint(Endpoint endpoint) =>
        HandlerType(endpoint) is { } type && (type == _streamableHttpHandler || type == _legacySseHandler);

    /// <summary>Gets a value indicating whether <paramref name="endpoint"/> is one of the SDK's Streamable HTTP endpoints.</summary>
    public bool IsStreamableHttp(Endpoint endpoint) =>
        _streamableHttpHandler is not null && HandlerType(endpoint) == _streamableHttpHandler;

    /// <summary>Gets a value indicating whether <paramref name="endpoint"/> answers <paramref name="method"/>.</summary>
    public static bool Serves(Endpoint endpoint, string method) =>
        endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains(method, StringComparer.OrdinalIgnoreCase) == true;

    /// <summary>
    /// The type of the method that serves <paramref name="endpoint"/>: the request delegate's own (MapMcp maps the SDK
    /// handler's methods as request delegates), or the handler method in the metadata (a delegate mapped through the
    /// request delegate factory).
    /// </summary>
    private static Type? HandlerType(Endpoint endpoint) =>
        (endpoint.Metadata.GetMetadata<MethodInfo>() ?? endpoint.RequestDelegate?.Method)?.DeclaringType;
}
