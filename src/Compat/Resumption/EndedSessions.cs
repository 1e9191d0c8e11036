namespace McpCompat.Resumption;

/// <summary>
/// The sessions this instance saw deleted (its own clients' DELETEs and the fleet's notices), remembered for the resume
/// window, at most <c>capacity</c> of them, the oldest forgotten first. A resume or a record write checks it before the
/// store's tombstone: it holds even when the store lost the tombstone (a cache server restarted from an older snapshot)
/// and it costs no round trip. Entries are added in time order, so one queue serves both expiry and capacity.
/// </summary>
internal sealed class EndedSessions(TimeProvider timeProvider, TimeSpan window, int capacity)
{
    private readonly object _lock = new();
    private readonly Dictionary<string, long> _ended = new(StringComparer.Ordinal);
    private readonly Queue<(string Id, long At)> _order = new();

    /// <summary>Gets the number of sessions remembered.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _ended.Count;
            }
        }
    }

    /// <summary>Remembers that the session was deleted: it never comes back on this instance for the window.</summary>
    public void Add(string sessionId)
    {
        var now = timeProvider.GetTimestamp();
        lock (_lock)
        {
            Trim(now);
            if (_ended.TryAdd(sessionId, now))
            {
                _order.Enqueue((sessionId, now));
            }

            while (_ended.Count > capacity && _order.TryDequeue(out var oldest))
            {
                _ended.Remove(oldest.Id);
            }
        }
    }

    /// <summary>Gets a value indicating whether the session was deleted within the window.</summary>
    public bool Contains(string sessionId)
    {
        lock (_lock)
        {
            return _ended.TryGetValue(sessionId, out var at) && timeProvider.GetElapsedTime(at) < window;
        }
    }

    private void Trim(long now)
    {
        while (_order.TryPeek(out var oldest) && timeProvider.GetElapsedTime(oldest.At, now) >= window)
        {
            _order.Dequeue();
            _ended.Remove(oldest.Id);
        }
    }
}
