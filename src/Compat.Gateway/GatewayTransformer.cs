using McpCompat.Http;
using McpCompat.Sessions;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace McpCompat.Gateway;

/// <summary>
/// Rewrites one relayed exchange: the request goes to the upstream's endpoint under the upstream's session id, and the
/// answer comes back under the client's; an <c>initialize</c> answered with a session id starts the gateway's session
/// there, and its record, before the answer's headers leave. Everything else is copied as it is.
/// </summary>
internal sealed class GatewayTransformer(GatewaySessions sessions, GatewayRecords records, GatewayExchange exchange) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        proxyRequest.RequestUri = exchange.Upstream.RequestUri(httpContext.Request.QueryString);

        // The upstream's own name, not the gateway's: a server that checks Host (DNS-rebinding protection) knows itself.
        proxyRequest.Headers.Host = null;
        proxyRequest.Headers.Remove(McpHeaders.SessionId);
        if (exchange.Binding is { } binding)
        {
            proxyRequest.Headers.TryAddWithoutValidation(McpHeaders.SessionId, binding.UpstreamId);
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse?.StatusCode == System.Net.HttpStatusCode.NotFound && exchange.CanHeal)
        {
            // The upstream lost the session: nothing of this answer goes to the client, which keeps its id.
            exchange.UpstreamStatus = StatusCodes.Status404NotFound;
            exchange.LostSession = true;
            return false;
        }

        var copyBody = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        if (proxyResponse is null)
        {
            return copyBody;
        }

        exchange.UpstreamStatus = (int)proxyResponse.StatusCode;
        if (proxyResponse.Headers.TryGetValues(McpHeaders.SessionId, out var ids) && ids.FirstOrDefault() is { Length: > 0 } upstreamId)
        {
            MapSessionId(httpContext, proxyResponse, upstreamId);
            if (exchange.Started is { } started)
            {
                // Recorded before its client learns its id: a client that comes back to a restarted gateway, or to another
                // instance of a fleet, finds it.
                await records.StartedAsync(started).ConfigureAwait(false);
            }
        }

        // A GET stream's headers leave now, as the upstream sent them: the forwarder would hold them until the first
        // event, and a quiet stream would leave its client waiting, without the keep-alives that start with the response.
        // A POST's answer keeps them until its first event: should the upstream go before that, nothing has been sent
        // and the request can be sent again to the session rebuilt.
        if (copyBody && HttpMethods.IsGet(httpContext.Request.Method) && proxyResponse.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            await httpContext.Response.StartAsync(cancellationToken).ConfigureAwait(false);
        }

        return copyBody;
    }

    private void MapSessionId(HttpContext httpContext, HttpResponseMessage proxyResponse, string upstreamId)
    {
        if (exchange.Session is { } session)
        {
            httpContext.Response.Headers[McpHeaders.SessionId] = session.Id;
        }
        else if (exchange.IsInitialize && proxyResponse.IsSuccessStatusCode)
        {
            exchange.Started = sessions.Start(exchange.Upstream, upstreamId, exchange.Handshake, UserKey.Of(httpContext));
            httpContext.Response.Headers[McpHeaders.SessionId] = exchange.Started.Id;
        }
        else
        {
            // A session id the gateway did not ask for (the upstream's answer outside a session it knows): not the client's.
            httpContext.Response.Headers.Remove(McpHeaders.SessionId);
        }
    }
}
