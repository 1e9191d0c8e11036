using System.Runtime.InteropServices;
using McpCompat.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace McpCompat.Gateway;

/// <summary>
/// The gateway's MCP endpoint: checks Host and Origin and a POST's body (one JSON-RPC message, at most 4 MiB), admits a
/// new session under MaxSessions, relays the request to the upstream that holds its session (or the least loaded one),
/// and keeps the session's bookkeeping: in flight while a request runs, ended for good on its client's <c>DELETE</c>,
/// gone when its upstream no longer knows it. Upstream answers are passed through unchanged.
/// </summary>
internal sealed class GatewayEndpoint(
    GatewaySessions sessions,
    GatewayForwarder forwarder,
    RequestValidator validator,
    RequestBodyReader bodyReader,
    RefusalWriter refusals,
    ILogger<GatewayEndpoint> logger)
{
    /// <summary>What a client is told to wait before it tries a new session again, when every session is active.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    public async Task InvokeAsync(HttpContext context, GatewayRoute route)
    {
        if (validator.RefuseForeignHostOrOrigin(context) is { } refused)
        {
            await refused.ConfigureAwait(false);
            return;
        }

        var ids = context.Request.Headers[McpHeaders.SessionId];
        if (ids.Count > 1)
        {
            await refusals.RefuseAsync(context, StatusCodes.Status400BadRequest, "Bad Request: more than one Mcp-Session-Id header").ConfigureAwait(false);
            return;
        }

        GatewaySession? session = null;
        if (ids.Count == 1 && !string.IsNullOrEmpty(ids[0]))
        {
            // Unknown, being ended, or ended: the client starts a new session, as with any server.
            session = sessions.Find(ids[0]!);
            if (session is null || !session.TryEnter())
            {
                await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
                return;
            }
        }

        GatewayExchange? exchange = null;
        try
        {
            exchange = await RelayAsync(context, route, session).ConfigureAwait(false);
        }
        finally
        {
            if (session is not null)
            {
                sessions.Exit(session);
            }
        }

        if (session is not null && exchange?.UpstreamStatus is { } status)
        {
            AfterAnswer(context, session, status);
        }
    }

    private async Task<GatewayExchange?> RelayAsync(HttpContext context, GatewayRoute route, GatewaySession? session)
    {
        var isInitialize = false;
        if (HttpMethods.IsPost(context.Request.Method))
        {
            // Read whole (it is one message, bounded): the gateway must know an initialize, and relays these bytes.
            if (await bodyReader.ReadAsync(context).ConfigureAwait(false) is not { } body ||
                await bodyReader.ParseAsync(context, body).ConfigureAwait(false) is not { } message)
            {
                return null;
            }

            isInitialize = message.IsInitialize && session is null;
            context.Request.Body = MemoryMarshal.TryGetArray(body, out var segment)
                ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
                : new MemoryStream(body.ToArray(), writable: false);
            context.Request.ContentLength = body.Length;
        }

        var protocolVersion = context.Request.Headers[McpHeaders.ProtocolVersion];
        if (session is not null && protocolVersion.Count == 1)
        {
            session.ProtocolVersion = protocolVersion[0];
        }

        if (isInitialize && !await sessions.TryAdmitAsync(context.RequestAborted).ConfigureAwait(false))
        {
            context.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await refusals.RefuseAsync(context, StatusCodes.Status503ServiceUnavailable,
                "Service Unavailable: the gateway holds McpCompat:MaxSessions sessions and every one is active; try again").ConfigureAwait(false);
            return null;
        }

        var exchange = new GatewayExchange(session?.Upstream ?? route.Pick(), session, isInitialize);
        try
        {
            await forwarder.ForwardAsync(context, exchange).ConfigureAwait(false);
        }
        finally
        {
            if (exchange.Started is { } started)
            {
                // Its initialize is over: idle from now on until its client's next request.
                sessions.Exit(started);
            }
            else if (isInitialize)
            {
                sessions.Unreserve();
            }
        }

        return exchange;
    }

    private void AfterAnswer(HttpContext context, GatewaySession session, int status)
    {
        if (HttpMethods.IsDelete(context.Request.Method) && status is (>= 200 and < 300) or 404 or 405)
        {
            // Ended by its client: for good (a 405 upstream cannot end it, and the gateway lets go all the same).
            session.Upstream.NoteDeleteAnswer(status);
            if (sessions.Forget(session))
            {
                sessions.Deleted();
            }
        }
        else if (status == StatusCodes.Status404NotFound)
        {
            session.Upstream.NoteSessionForgotten();
            Log.UpstreamForgotSession(logger, session.Upstream.Endpoint, session.Id, session.UpstreamId);
            sessions.Forget(session);
        }
    }
}
