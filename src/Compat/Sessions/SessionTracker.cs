using System.Collections.Concurrent;

namespace McpCompat.Sessions;

/// <summary>
/// The sessions McpCompat tracks, by id, and the idle ones in the order they became idle. The sweeper takes what
/// is due from the front of that list, so its cost follows the number of sessions due, not the number tracked.
/// </summary>
/// <remarks>
/// One lock guards every session's state and the idle list; each operation under it is constant time except when a
/// session becomes idle with a timestamp older than the newest idle one, where it walks back to its place.
/// </remarks>
internal sealed class SessionTracker
{
    private readonly ConcurrentDictionary<string, TrackedSession> _sessions = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private TrackedSession? _idleHead;
    private TrackedSession? _idleTail;
    private int _idleCount;

    /// <summary>Gets the number of sessions tracked.</summary>
    public int Count => _sessions.Count;

    /// <summary>Gets the number of live sessions with no request in flight.</summary>
    public int IdleCount => Volatile.Read(ref _idleCount);

    public TrackedSession? Find(string id) => _sessions.TryGetValue(id, out var session) ? session : null;

    public void Add(TrackedSession session)
    {
        lock (_gate)
        {
            session.Tracker = this;
            if (_sessions.TryGetValue(session.Id, out var previous) && previous != session)
            {
                // The same id again: the older record is replaced and no longer tracked.
                Unlink(previous);
                Volatile.Write(ref previous.State, TrackedSession.Gone);
            }

            _sessions[session.Id] = session;
            if (session.State == TrackedSession.Live && session.InFlightCount == 0)
            {
                LinkIdle(session);
            }
        }
    }

    /// <summary>Forgets the session (only this instance of it) and marks it gone.</summary>
    public bool Remove(TrackedSession session)
    {
        lock (_gate)
        {
            Unlink(session);
            Volatile.Write(ref session.State, TrackedSession.Gone);
        }

        return ((ICollection<KeyValuePair<string, TrackedSession>>)_sessions).Remove(new(session.Id, session));
    }

    /// <summary>Gets the tracked sessions; safe to enumerate while sessions come and go.</summary>
    public IEnumerable<TrackedSession> Sessions => _sessions.Values;

    /// <summary>Gets the timestamp at which the longest-idle session became idle, or <see langword="null"/> when none is idle.</summary>
    public long? OldestIdleTimestamp
    {
        get
        {
            lock (_gate)
            {
                return _idleHead?.LastActivityTimestamp;
            }
        }
    }

    /// <summary>Counts a request in; fails once the session is being evicted or is gone.</summary>
    public bool TryEnter(TrackedSession session)
    {
        lock (_gate)
        {
            if (session.State != TrackedSession.Live)
            {
                return false;
            }

            if (session.InFlightCount++ == 0)
            {
                Unlink(session);
            }

            return true;
        }
    }

    /// <summary>Counts a request out; the session is idle from <paramref name="timestamp"/> when it was the last.</summary>
    public void Exit(TrackedSession session, long timestamp)
    {
        lock (_gate)
        {
            if (session.InFlightCount > 0 && --session.InFlightCount == 0)
            {
                Volatile.Write(ref session.LastActivityTimestamp, timestamp);
                if (session.State == TrackedSession.Live)
                {
                    LinkIdle(session);
                }
            }
        }
    }

    /// <summary>
    /// Claims for eviction, oldest first, every idle session that became idle at or before <paramref name="dueBefore"/>,
    /// then the oldest ones while more than <paramref name="maxIdle"/> remain idle. Claimed sessions leave the idle list
    /// and refuse new requests until <see cref="Remove"/> or <see cref="ReleaseClaim"/>.
    /// </summary>
    /// <returns>How many sessions were claimed because of <paramref name="maxIdle"/>; they are the last ones added.</returns>
    public int ClaimDue(long? dueBefore, int maxIdle, List<SessionClaim> claims)
    {
        lock (_gate)
        {
            if (dueBefore is { } limit)
            {
                while (_idleHead is { } head && head.LastActivityTimestamp <= limit)
                {
                    claims.Add(Claim(head));
                }
            }

            var overLimit = 0;
            while (_idleCount > maxIdle && _idleHead is { } head)
            {
                claims.Add(Claim(head));
                overLimit++;
            }

            return overLimit;
        }
    }

    /// <summary>Claims the longest-idle session that <paramref name="match"/> accepts, or returns <see langword="null"/>.</summary>
    public SessionClaim? ClaimOldestIdle(Func<TrackedSession, bool> match)
    {
        lock (_gate)
        {
            for (var session = _idleHead; session is not null; session = session.Next)
            {
                if (match(session))
                {
                    return Claim(session);
                }
            }

            return null;
        }
    }

    /// <summary>
    /// Returns a claimed session whose eviction did not go through to service, idle again from
    /// <paramref name="timestamp"/> (so a refused eviction is tried again one idle timeout later, not at every sweep).
    /// </summary>
    public void ReleaseClaim(TrackedSession session, long timestamp)
    {
        lock (_gate)
        {
            if (session.State != TrackedSession.Evicting)
            {
                return;
            }

            Volatile.Write(ref session.State, TrackedSession.Live);
            if (session.InFlightCount == 0)
            {
                Volatile.Write(ref session.LastActivityTimestamp, timestamp);
                LinkIdle(session);
            }
        }
    }

    private SessionClaim Claim(TrackedSession session)
    {
        Unlink(session);
        Volatile.Write(ref session.State, TrackedSession.Evicting);
        return new SessionClaim(session, session.LastActivityTimestamp);
    }

    // Appends at the tail, or walks back to keep the list ordered by the time each session became idle.
    private void LinkIdle(TrackedSession session)
    {
        if (session.InIdleList)
        {
            return;
        }

        var after = _idleTail;
        while (after is not null && after.LastActivityTimestamp > session.LastActivityTimestamp)
        {
            after = after.Previous;
        }

        session.Previous = after;
        session.Next = after is null ? _idleHead : after.Next;
        if (session.Next is null)
        {
            _idleTail = session;
        }
        else
        {
            session.Next.Previous = session;
        }

        if (after is null)
        {
            _idleHead = session;
        }
        else
        {
            after.Next = session;
        }

        session.InIdleList = true;
        Volatile.Write(ref _idleCount, _idleCount + 1);
    }

    private void Unlink(TrackedSession session)
    {
        if (!session.InIdleList)
        {
            return;
        }

        if (session.Previous is null)
        {
            _idleHead = session.Next;
        }
        else
        {
            session.Previous.Next = session.Next;
        }

        if (session.Next is null)
        {
            _idleTail = session.Previous;
        }
        else
        {
            session.Next.Previous = session.Previous;
        }

        session.Previous = null;
        session.Next = null;
        session.InIdleList = false;
        Volatile.Write(ref _idleCount, _idleCount - 1);
    }
}
