using System.Diagnostics;
using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace McpCompat.Gateway;

/// <summary>
/// The one HTTP client of the gateway's upstream traffic: relayed requests and the <c>DELETE</c>s that end idle sessions.
/// Set up as a proxy's client should be (no proxy, redirects, cookies or decompression of its own), trace context passed on.
/// </summary>
internal sealed class GatewayHttpClient : IDisposable
{
    public HttpMessageInvoker Invoker { get; } = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
        ConnectTimeout = TimeSpan.FromSeconds(15),
    });

    public void Dispose() => Invoker.Dispose();
}
