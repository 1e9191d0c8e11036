using McpCompat.Streams;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace McpCompat.Gateway;

/// <summary>
/// Relays one exchange through YARP's forwarder, streaming both ways (nothing is buffered but the POST body the gateway
/// has read), with McpCompat's keep-alives on an answer that is an event stream: a client gone without closing its
/// connection is noticed, its upstream request is cancelled and its session can expire.
/// </summary>
internal sealed class GatewayForwarder(IHttpForwarder forwarder, GatewayHttpClient http, GatewaySessions sessions, GatewayRecords records, EventStreamKeeper keeper, ILogger<GatewayForwarder> logger)
{
    /// <summary>
    /// The longest an upstream exchange may go without a byte either way. Long: a quiet event stream is normal, and the
    /// gateway's keep-alives notice a vanished client; YARP's default (100 s) would cut quiet streams.
    /// </summary>
    public static readonly TimeSpan ActivityTimeout = TimeSpan.FromDays(1);

    private static readonly ForwarderRequestConfig RequestConfig = new() { ActivityTimeout = ActivityTimeout };

    /// <summary>Relays the request to <see cref="GatewayExchange.Upstream"/> and its answer back.</summary>
    public Task ForwardAsync(HttpContext context, GatewayExchange exchange)
    {
        RequestDelegate relay = async ctx =>
        {
            var error = await forwarder.SendAsync(ctx, exchange.Upstream.Prefix, http.Invoker, RequestConfig, new GatewayTransformer(sessions, records, exchange)).ConfigureAwait(false);
            exchange.Error = error;
            if (error != ForwarderError.None && !ctx.RequestAborted.IsCancellationRequested && !exchange.NeedsHealing)
            {
                // The forwarder has answered what it could (502, 504) when nothing had been sent yet.
                var name = error.ToString();
                Log.UpstreamFailed(logger, ctx.Request.Method, exchange.Upstream.Endpoint, name, ctx.Response.StatusCode);
            }
        };

        if (!keeper.Enabled)
        {
            return relay(context);
        }

        return HttpMethods.IsGet(context.Request.Method) ? keeper.ServeAsync(context, relay) : keeper.ServeAnswerAsync(context, relay);
    }
}
