using System.Globalization;
using System.Runtime.InteropServices;
using McpCompat.Http;
using McpCompat.Resumption;
using McpCompat.Sessions;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace McpCompat.Gateway;

/// <summary>
/// The gateway's MCP endpoint: checks Host and Origin and a POST's body (one JSON-RPC message, at most 4 MiB), admits a
/// new session under MaxSessions, relays the request to the upstream that holds its session (or the least loaded one),
/// and keeps the session's bookkeeping: in flight while a request runs, ended for good on its client's <c>DELETE</c>.
/// When the upstream lost the session (404) or cannot be reached, the session is rebuilt from its handshake, on the same
/// upstream or another replica, and the request sent again, once: its client keeps its id and never sees the loss. Other
/// upstream answers are passed through unchanged. Where sessions resume, a session the gateway does not hold is taken up
/// from its record (<see cref="GatewayResumer"/>), and a client's <c>DELETE</c> leaves a tombstone before anything else:
/// from then on no instance resumes it.
/// </summary>
internal sealed class GatewayEndpoint(
    GatewaySessions sessions,
    GatewaySessionLookup lookup,
    GatewayRecords records,
    GatewayForwarder forwarder,
    GatewayRebuilder rebuilder,
    RequestValidator validator,
    RequestBodyReader bodyReader,
    GatewayReport report,
    SessionEndBroadcast fleet,
    TimeProvider timeProvider,
    RefusalWriter refusals)
{
    /// <summary>How many times a request is sent again: to fresh connections, and to its session rebuilt.</summary>
    public const int MaxAttempts = 4;

    /// <summary>What a client is told to wait before it tries a new session again, when every session is active.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    public async Task InvokeAsync(HttpContext context, GatewayRoute route)
    {
        if (validator.RefuseForeignHostOrOrigin(context) is { } refused)
        {
            await refused.ConfigureAwait(false);
            return;
        }

        if (GatewayReport.IsAskedFor(context.Request))
        {
            await report.AnswerAsync(context, refusals).ConfigureAwait(false);
            return;
        }

        var ids = context.Request.Headers[McpHeaders.SessionId];
        if (ids.Count > 1)
        {
            await refusals.RefuseAsync(context, StatusCodes.Status400BadRequest, "Bad Request: more than one Mcp-Session-Id header").ConfigureAwait(false);
            return;
        }

        GatewaySession? session = null;
        var tombstoned = false;
        if (ids.Count == 1 && !string.IsNullOrEmpty(ids[0]))
        {
            // Found, resumed or taken up, and entered; or answered (404, 503) and done.
            if (await lookup.EnterAsync(context, route, ids[0]!).ConfigureAwait(false) is not { } entered)
            {
                return;
            }

            (session, tombstoned) = entered;
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
            sessions.Answered(session, context.Request.Method, status);
        }

        if (tombstoned)
        {
            // The other gateways of a fleet end their copies (once this one's DELETE is answered upstream).
            await fleet.PublishAsync(session!.Id, session.User).ConfigureAwait(false);
        }
    }

    private async Task<GatewayExchange?> RelayAsync(HttpContext context, GatewayRoute route, GatewaySession? session)
    {
        var message = default(GatewayMessage);
        if (HttpMethods.IsPost(context.Request.Method))
        {
            // Read whole (it is one message, bounded): the gateway must know an initialize, and relays these bytes.
            if (await bodyReader.ReadAsync(context).ConfigureAwait(false) is not { } body ||
                await bodyReader.ReadMethodAsync(context, body, GatewayMessage.Methods).ConfigureAwait(false) is not (true, var method))
            {
                return null;
            }

            message = new GatewayMessage(body, method);
        }

        var isInitialize = message?.IsInitialize == true && session is null;
        if (session is not null)
        {
            var protocolVersion = context.Request.Headers[McpHeaders.ProtocolVersion];
            if (protocolVersion.Count == 1 && protocolVersion[0] is { Length: > 0 and <= 32 } revision)
            {
                session.ProtocolVersion = revision;
                session.Upstream.NoteRevision(revision);
            }

            if (message is not null && session.Handshake?.Observe(message.Method, message.Body) == true)
            {
                // A new logging level: its record says so before the request goes on.
                await records.SaveAsync(session).ConfigureAwait(false);
            }
        }

        if (isInitialize && !await sessions.TryAdmitAsync(context.RequestAborted).ConfigureAwait(false))
        {
            await RefuseNoRoomAsync(context, refusals).ConfigureAwait(false);
            return null;
        }

        var exchange = await ForwardAsync(context, route, session, message, isInitialize, canHeal: CanHeal(context, session)).ConfigureAwait(false);
        if (session is null)
        {
            // A new session whose upstream could not be reached goes to another replica: nothing of it exists anywhere.
            List<GatewayUpstream>? tried = null;
            while (isInitialize && exchange.Error == ForwarderError.Request && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested &&
                (tried ??= []).Count + 1 < route.Upstreams.Count)
            {
                exchange.Upstream.NoteUnreachable(timeProvider.GetTimestamp(), timeProvider.TimestampFrequency);
                tried.Add(exchange.Upstream);
                if (!await sessions.TryAdmitAsync(context.RequestAborted).ConfigureAwait(false))
                {
                    break;
                }

                context.Response.Clear();
                exchange = await ForwardAsync(context, route, session, message, isInitialize, canHeal: false, route.Pick(timeProvider.GetTimestamp(), tried)).ConfigureAwait(false);
            }

            if (exchange.Error == ForwarderError.Request)
            {
                exchange.Upstream.NoteUnreachable(timeProvider.GetTimestamp(), timeProvider.TimestampFrequency);
            }

            return exchange;
        }

        // The upstream lost the session (404): rebuild it, once for all the session's requests that found it lost, then send
        // this request again wherever the session lives now. No answer at all: a connection the upstream closed may have
        // been left in the pool, so the request is first sent again as it is; no answer twice, the upstream is gone (or
        // restarting), and the session is rebuilt, waiting a little for an upstream to come back.
        var rebuiltHere = false;
        var unanswered = 0;
        for (var attempt = 0; attempt < MaxAttempts && exchange.NeedsHealing && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested; attempt++)
        {
            var lost = exchange.Binding!;
            var rebuild = exchange.LostSession || (++unanswered >= 2 && !rebuiltHere);
            if (exchange.LostSession)
            {
                sessions.NoteLost(lost.Upstream);
            }

            if (rebuild)
            {
                var unreachable = !exchange.LostSession;
                if (unreachable)
                {
                    // Passed over for new sessions for a while.
                    lost.Upstream.NoteUnreachable(timeProvider.GetTimestamp(), timeProvider.TimestampFrequency);
                }

                if (await session.RebuildOnceAsync(lost, l => rebuilder.RebuildAsync(session, l, route, unreachable, context.RequestAborted), records.SaveAsync).ConfigureAwait(false) is null)
                {
                    break;
                }

                rebuiltHere = true;
            }

            context.Response.Clear();
            exchange = await ForwardAsync(context, route, session, message, isInitialize: false, canHeal: true).ConfigureAwait(false);
        }

        if (exchange.NeedsHealing && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            // Not healed: the client starts a new session, as with any server that lost one.
            context.Response.Clear();
            await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
            sessions.Forget(session);
            return null;
        }

        return exchange;
    }

    private async Task<GatewayExchange> ForwardAsync(HttpContext context, GatewayRoute route, GatewaySession? session, GatewayMessage? message, bool isInitialize, bool canHeal, GatewayUpstream? to = null)
    {
        if (message is not null)
        {
            // The bytes read, relayed (again, when the session was rebuilt).
            context.Request.Body = MemoryMarshal.TryGetArray(message.Body, out var bytes)
                ? new MemoryStream(bytes.Array!, bytes.Offset, bytes.Count, writable: false)
                : new MemoryStream(message.Body.ToArray(), writable: false);
            context.Request.ContentLength = message.Body.Length;
        }

        var binding = session?.Binding;
        var exchange = new GatewayExchange(binding, binding?.Upstream ?? to ?? route.Pick(timeProvider.GetTimestamp()), session, isInitialize, canHeal)
        {
            Handshake = isInitialize && message is not null ? sessions.HandshakeOf(message.Body, UserKey.Of(context)) : null,
        };
        try
        {
            await forwarder.ForwardAsync(context, exchange).ConfigureAwait(false);
        }
        finally
        {
            if (exchange.Started is { } started)
            {
                // Its initialize is over: idle from now on until its client's next request.
                lookup.Carry(context, started);
                sessions.Exit(started);
            }
            else if (isInitialize)
            {
                sessions.Unreserve();
            }
        }

        return exchange;
    }

    /// <summary>Answers 503 with <c>Retry-After</c>: every session is active, none can make room for a new one.</summary>
    public static Task RefuseNoRoomAsync(HttpContext context, RefusalWriter refusals)
    {
        context.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return refusals.RefuseAsync(context, StatusCodes.Status503ServiceUnavailable,
            "Service Unavailable: the gateway holds McpCompat:MaxSessions sessions and every one is active; try again");
    }

    /// <summary>A request of a session that can be rebuilt, other than its <c>DELETE</c> (a lost session deleted is deleted).</summary>
    private static bool CanHeal(HttpContext context, GatewaySession? session) =>
        session?.Handshake is not null && !HttpMethods.IsDelete(context.Request.Method);
}
