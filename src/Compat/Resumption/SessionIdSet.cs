namespace McpCompat.Resumption;

/// <summary>
/// Session ids remembered on this instance for the resume window, at most <c>capacity</c> of them, the oldest forgotten
/// first: the sessions it saw deleted (<see cref="SessionRecordStore.Ended"/>, checked before the store's tombstone, so
/// it holds even when the store lost the tombstone, and costs no round trip) and those whose record it deleted to keep
/// <see cref="McpCompatOptions.MaxSessionRecords"/> (<see cref="SessionRecordStore.Dropped"/>, never written again).
/// Entries are added in time order, so one queue serves both expiry and capacity.
/// </summary>
internal sealed class SessionIdSet(TimeProvider timeProvider, TimeSpan window, int capacity)
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

    /// <summary>Remembers the session for the window.</summary>
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

    /// <summary>Gets a value indicating whether the session was remembered within the window.</summary>
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
