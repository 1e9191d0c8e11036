using System.Security.Cryptography;
using McpCompat.Http;
using McpCompat.Sessions;
using McpCompat.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpCompat.Gateway;

/// <summary>
/// The gateway's sessions, in McpCompat's tracker: admitted under <see cref="McpCompatOptions.MaxSessions"/> (the
/// longest-idle session makes room, or the new one is refused), started when the upstream answers <c>initialize</c> with
/// a session id (or taken up from its record), and ended the protocol's way: a <c>DELETE</c> upstream with the session's
/// id, whatever the upstream does about idle sessions itself, then the gateway's own state freed (its record, where
/// sessions resume, kept for <see cref="McpCompatOptions.SessionResumeWindow"/>).
/// </summary>
internal sealed class GatewaySessions(
    SessionTracker tracker,
    GatewayHttpClient http,
    GatewayRecords records,
    IOptions<McpCompatOptions> options,
    TimeProvider timeProvider,
    EvictionReport evictions,
    McpCompatMetrics metrics,
    ILogger<GatewaySessions> logger) : ISessionEvictor, ISessionHost
{
    /// <summary>How long ending a session upstream may take before the gateway lets go of it anyway.</summary>
    public static readonly TimeSpan UpstreamDeleteTimeout = TimeSpan.FromSeconds(5);

    // Sessions plus reserved slots never exceed MaxSessions; counted under this lock, removal only makes room.
    private readonly object _slots = new();
    private int _count;
    private int _reserved;

    /// <summary>Gets how many sessions the gateway holds.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Gets the live session with the client's id <paramref name="sessionId"/>, or <see langword="null"/>.</summary>
    public GatewaySession? Find(string sessionId) => tracker.Find(sessionId) as GatewaySession;

    /// <summary>
    /// Gets the session <paramref name="sessionId"/> for the user <paramref name="user"/>: <see langword="null"/> when
    /// there is none, or when it is another user's (answered as an unknown session, so as not to tell it exists).
    /// </summary>
    public GatewaySession? FindFor(string sessionId, UserKey? user) =>
        Find(sessionId) is { } session && session.User == user ? session : null;

    /// <summary>
    /// Reserves room for one more session, ending the longest-idle session of the gateway when there is none; returns
    /// <see langword="false"/> when every session is active.
    /// </summary>
    public async Task<bool> TryAdmitAsync(CancellationToken cancellationToken)
    {
        while (!TryReserve())
        {
            if (tracker.ClaimOldestIdle(static s => s is GatewaySession) is not { } victim)
            {
                return false;
            }

            var idle = timeProvider.GetElapsedTime(victim.IdleSince);
            await EndAsync((GatewaySession)victim.Session, cancellationToken).ConfigureAwait(false);
            evictions.Ended(victim.Session.Id, EvictionReason.MaxSessions, idle);
        }

        return true;
    }

    /// <summary>Gives back a slot <see cref="TryAdmitAsync"/> reserved for a session that did not start.</summary>
    public void Unreserve()
    {
        lock (_slots)
        {
            _reserved--;
        }
    }

    /// <summary>
    /// Starts the session whose <c>initialize</c> the upstream answered with <paramref name="upstreamId"/>, in the slot
    /// reserved for it, under an id of the gateway's own; its <c>initialize</c> is still in flight.
    /// </summary>
    public GatewaySession Start(GatewayUpstream upstream, string upstreamId, GatewayHandshake? handshake, UserKey? user)
    {
        var session = new GatewaySession(NewId(), this, new GatewayBinding(upstream, upstreamId), handshake, user, timeProvider.GetTimestamp(), inFlight: 1);
        Host(session);
        return session;
    }

    /// <summary>
    /// Takes up, in the slot reserved for it, a session from its record (a restart of the gateway, another instance of a
    /// fleet, or a session ended for being idle and rebuilt): under its client's id, living at <paramref name="binding"/>.
    /// </summary>
    public GatewaySession Adopt(string sessionId, GatewayBinding binding, GatewayHandshake handshake, UserKey? user, string protocolVersion)
    {
        var session = new GatewaySession(sessionId, this, binding, handshake, user, timeProvider.GetTimestamp(), inFlight: 0)
        {
            ProtocolVersion = protocolVersion,
            Recorded = true,
            RecordTouched = timeProvider.GetTimestamp(),
        };
        Host(session);
        return session;
    }

    private void Host(GatewaySession session)
    {
        lock (_slots)
        {
            _reserved--;
            _count++;
        }

        session.Upstream.SessionAdded();
        tracker.Add(session);
    }

    /// <summary>
    /// Reads the handshake an <c>initialize</c> carries, kept to rebuild its session; <see langword="null"/> when it is
    /// larger than <see cref="McpCompatOptions.MaxSessionRecordBytes"/> (that session lives on, but cannot be rebuilt).
    /// </summary>
    public GatewayHandshake? HandshakeOf(ReadOnlyMemory<byte> initializeBody, UserKey? user) =>
        GatewayHandshake.From(initializeBody, user, options.Value.MaxSessionRecordBytes);

    /// <summary>Counts a request of <paramref name="session"/> out, now.</summary>
    public void Exit(GatewaySession session) => session.Exit(timeProvider.GetTimestamp());

    /// <summary>Frees the gateway's state of a session that is over upstream already (deleted by its client, or unknown there).</summary>
    public bool Forget(GatewaySession session) => Forget(session, gone: true);

    private bool Forget(GatewaySession session, bool gone)
    {
        if (!tracker.Remove(session))
        {
            return false;
        }

        lock (_slots)
        {
            _count--;
        }

        session.Upstream.SessionRemoved();
        if (gone)
        {
            session.MarkLetGo();
        }

        return true;
    }

    /// <summary>
    /// Keeps the books after the upstream answered a request of <paramref name="session"/>: a client's <c>DELETE</c>
    /// answered 2xx, 404 or 405 ends the session for good (an upstream that cannot delete it is let go all the same); a
    /// 404 that was not healed (the session could not be rebuilt) ends it too.
    /// </summary>
    public void Answered(GatewaySession session, string method, int status)
    {
        if (HttpMethods.IsDelete(method) && status is (>= 200 and < 300) or 404 or 405)
        {
            session.Upstream.NoteDeleteAnswer(status);
            if (Forget(session))
            {
                metrics.SessionEnded(EvictionReason.Deleted);
            }
        }
        else if (status == StatusCodes.Status404NotFound)
        {
            NoteLost(session.Upstream);
            Log.UpstreamForgotSession(logger, session.Upstream.Endpoint, session.Id, session.UpstreamId);
            Forget(session);
        }
    }

    /// <summary>Notes that <paramref name="upstream"/> answered 404 for a session held live; said once per upstream.</summary>
    public void NoteLost(GatewayUpstream upstream)
    {
        if (upstream.NoteSessionForgotten())
        {
            Log.UpstreamEndsSessions(logger, upstream.Endpoint);
        }
    }

    /// <summary>Ends an idle session for the sweeper: upstream first, then the gateway's state.</summary>
    public async Task<bool> EvictAsync(TrackedSession session, CancellationToken cancellationToken)
    {
        await EndAsync((GatewaySession)session, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task EndAsync(GatewaySession session, CancellationToken cancellationToken)
    {
        // Claimed: no request of the client's reaches it from here (they are answered 404).
        var binding = session.Binding;
        var endedUpstream = false;
        try
        {
            // In a fleet, another gateway that serves the same upstream session keeps it: only this copy goes.
            if (await records.MayEndUpstreamAsync(session).ConfigureAwait(false))
            {
                endedUpstream = true;
                if (await DeleteUpstreamAsync(session.Id, binding.Upstream.Endpoint, binding.UpstreamId, session.ProtocolVersion, session.Headers, cancellationToken).ConfigureAwait(false) is { } status)
                {
                    binding.Upstream.NoteDeleteAnswer(status);
                }
            }
        }
        finally
        {
            Forget(session, gone: false);
        }

        // Where sessions resume, its record says it lives nowhere now: its client's next request replays its handshake.
        try
        {
            if (endedUpstream)
            {
                await records.EndedUpstreamAsync(session).ConfigureAwait(false);
            }
        }
        finally
        {
            session.MarkLetGo();
        }
    }

    /// <summary>Gets the sessions the gateway holds (the fleet's notices and the health check count them).</summary>
    int? ISessionHost.Count => Count;

    /// <summary>
    /// Ends this gateway's copy of session <paramref name="sessionId"/> of <paramref name="owner"/>, which its client
    /// deleted through another gateway of the fleet (the notice came over the session end channel): the copy goes at once,
    /// and the upstream session it is bound to is deleted (a 404 there when it was the other gateway's too).
    /// </summary>
    async Task<bool> ISessionHost.EndAsync(string sessionId, UserKey? owner)
    {
        if (Find(sessionId) is not { } session || session.User != owner || !Forget(session))
        {
            return false;
        }

        metrics.SessionEnded(EvictionReason.Deleted);
        var binding = session.Binding;
        await DeleteUpstreamAsync(sessionId, binding.Upstream.Endpoint, binding.UpstreamId, session.ProtocolVersion, session.Headers, CancellationToken.None).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Ends session <paramref name="sessionId"/> upstream, the protocol's way (<c>DELETE</c> with its id there, and the
    /// credentials its client sent, <paramref name="headers"/>), waiting
    /// at most <see cref="UpstreamDeleteTimeout"/>: the upstream's status, or <see langword="null"/> when it did not answer (logged).
    /// </summary>
    public async Task<int?> DeleteUpstreamAsync(string sessionId, Uri endpoint, string upstreamId, string? protocolVersion, CarriedHeaders? headers, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, endpoint);
        headers?.AddTo(request);
        request.Headers.TryAddWithoutValidation(McpHeaders.SessionId, upstreamId);
        if (protocolVersion is not null)
        {
            request.Headers.TryAddWithoutValidation(McpHeaders.ProtocolVersion, protocolVersion);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(UpstreamDeleteTimeout);
        try
        {
            using var response = await http.Invoker.SendAsync(request, timeout.Token).ConfigureAwait(false);
            return (int)response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Log.UpstreamDeleteFailed(logger, sessionId, upstreamId, endpoint, ex.Message);
            return null;
        }
    }

    private bool TryReserve()
    {
        lock (_slots)
        {
            if (_count + _reserved >= options.Value.MaxSessions)
            {
                return false;
            }

            _reserved++;
            return true;
        }
    }

    // 128 random bits, as hex: visible ASCII, as the protocol asks of a session id.
    private static string NewId() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
}
