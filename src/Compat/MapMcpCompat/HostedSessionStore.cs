using System.Collections.Concurrent;
using McpCompat.Resumption;
using McpCompat.Sessions;
using McpCompat.Telemetry;
using Microsoft.Extensions.Logging;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// The sessions <c>MapMcpCompat</c> hosts, by id; ends them when the sweeper, a DELETE, a new session over the limit or
/// shutdown asks. The one owner of hosted sessions: only the store adds them to the <see cref="SessionTracker"/> and
/// removes them from it.
/// </summary>
internal sealed class HostedSessionStore : ISessionEvictor, ISessionHost
{
    /// <summary>How long ending a session waits for its server's run task.</summary>
    public static readonly TimeSpan DisposeWait = ISessionHost.EndWait;

    private readonly ConcurrentDictionary<string, HostedSession> _sessions = new(StringComparer.Ordinal);
    private readonly SessionTracker _tracker;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<HostedSessionStore> _logger;
    private readonly McpCompatMetrics _metrics;
    private readonly SessionResumption _resumption;
    private readonly Func<TrackedSession, bool> _isHosted;

    // Sessions are added, and slots reserved, under this lock: hosted sessions plus reservations never exceed the limit
    // TryReserve was given. Removal needs no lock: it only makes room.
    private readonly object _slots = new();
    private int _reserved;

    public HostedSessionStore(SessionTracker tracker, TimeProvider timeProvider, ILogger<HostedSessionStore> logger, McpCompatMetrics metrics, SessionResumption resumption)
    {
        _tracker = tracker;
        _timeProvider = timeProvider;
        _logger = logger;
        _metrics = metrics;

        // Where sessions resume (McpCompat:SessionResumeWindow), the records they resume from: read when a session
        // ends, after the host has validated the settings.
        _resumption = resumption;
        _isHosted = session => session.Evictor == this;
    }

    public int Count => _sessions.Count;

    int? ISessionHost.Count => Count;

    /// <summary>Ends the hosted session <paramref name="sessionId"/>, whoever owns it: the fleet's notice has checked the owner.</summary>
    Task<bool> ISessionHost.EndAsync(string sessionId, UserKey? owner) => EndAsync(sessionId);

    /// <summary>Hosts the session and tracks it; its <see cref="HostedSession.Tracked"/> entry names this store as its evictor.</summary>
    public void Add(HostedSession session) => Host(session, reservation: 0);

    /// <summary>
    /// Reserves room for one session when fewer than <paramref name="limit"/> are hosted or reserved. The reservation
    /// becomes the session (<see cref="AddReserved"/>) or is given back (<see cref="ReleaseReservation"/>).
    /// </summary>
    public bool TryReserve(int limit)
    {
        lock (_slots)
        {
            if (_sessions.Count + _reserved >= limit)
            {
                return false;
            }

            _reserved++;
            return true;
        }
    }

    public void ReleaseReservation()
    {
        lock (_slots)
        {
            _reserved--;
        }
    }

    /// <summary>Hosts and tracks the session in the room <see cref="TryReserve"/> reserved for it.</summary>
    public void AddReserved(HostedSession session) => Host(session, reservation: 1);

    /// <summary>
    /// Hosts and tracks a session that came back under its old id, in the room <see cref="TryReserve"/> reserved for it;
    /// <see langword="false"/>, with the room given back, when a session of that id is hosted already.
    /// </summary>
    public bool TryAddReserved(HostedSession session)
    {
        lock (_slots)
        {
            _reserved--;
            if (!_sessions.TryAdd(session.Id, session))
            {
                return false;
            }
        }

        _tracker.Add(session.Tracked);
        return true;
    }

    public HostedSession? Find(string id) => _sessions.TryGetValue(id, out var session) ? session : null;

    /// <summary>Claims the longest-idle hosted session for ending, or returns <see langword="null"/> when every one is active.</summary>
    public SessionClaim? ClaimOldestIdle() => _tracker.ClaimOldestIdle(_isHosted);

    public async Task<bool> EvictAsync(TrackedSession session, CancellationToken cancellationToken)
    {
        await RetireAsync(session.Id).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Ends the session's memory, not the session: it is forgotten and disposed as <see cref="EndAsync"/> does, and its
    /// record, where sessions resume, is written again, so its window starts now. Eviction and shutdown end sessions so.
    /// </summary>
    public async Task<bool> RetireAsync(string id)
    {
        var session = Find(id);
        if (!await EndAsync(id).ConfigureAwait(false))
        {
            return false;
        }

        if (_resumption.Records is { } records && session?.Record is { } record)
        {
            // Checked against a DELETE that may have raced it on another instance: then nothing is kept.
            await records.SaveAsync(id, record, again: true).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Forgets the session and disposes it; <see langword="false"/> when it was not (or no longer) hosted.</summary>
    public async Task<bool> EndAsync(string id)
    {
        if (!_sessions.TryRemove(id, out var session))
        {
            return false;
        }

        session.MarkRemoved();
        _tracker.Remove(session.Tracked);
        try
        {
            await session.DisposeAsync(DisposeWait, _timeProvider).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.HostedSessionDisposeFailed(_logger, id, ex);
        }

        return true;
    }

    private void Host(HostedSession session, int reservation)
    {
        lock (_slots)
        {
            _sessions[session.Id] = session;
            _reserved -= reservation;
        }

        _tracker.Add(session.Tracked);
    }

    /// <summary>The requests in flight on hosted sessions (open GET streams included), and on how many sessions.</summary>
    public (int Calls, int Sessions) InFlight()
    {
        var calls = 0;
        var sessions = 0;
        foreach (var session in _sessions.Values)
        {
            if (session.Tracked.InFlight is var inFlight and > 0)
            {
                calls += inFlight;
                sessions++;
            }
        }

        return (calls, sessions);
    }

    /// <summary>Ends every hosted session at once; each waits at most <see cref="DisposeWait"/>, so this does too.</summary>
    public Task EndAllAsync() => Task.WhenAll(_sessions.Keys.Select(EndAtShutdownAsync));

    private async Task EndAtShutdownAsync(string id)
    {
        if (await RetireAsync(id).ConfigureAwait(false))
        {
            _metrics.SessionEnded(EvictionReason.Shutdown);
        }
    }
}
