using System.Collections.Concurrent;

namespace McpCompat.Resumption;

/// <summary>
/// The records this instance wrote to the store and that may still be there (written or read within the window), in
/// the order they were last written or read: what <see cref="McpCompatOptions.MaxSessionRecords"/> counts. Past the
/// limit the oldest record goes, first among sessions whose client has not come back since its handshake (a record
/// is <em>proven</em> by a session's second request, or by a resume), then among the rest: a flood of abandoned
/// handshakes displaces its own records before those of sessions in use.
/// </summary>
/// <remarks>
/// A request on a session calls <see cref="Use"/> without a lock: one dictionary read, and a counter until the record is
/// proven. Everything that moves records between the lists takes the lock.
/// </remarks>
internal sealed class RecordIndex(TimeProvider timeProvider, TimeSpan window, int limit)
{
    private const int UsesToProve = 2;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly object _lock = new();
    private readonly LinkedList<Entry> _unproven = new();
    private readonly LinkedList<Entry> _proven = new();

    /// <summary>Gets the number of records counted.</summary>
    public int Count => _entries.Count;

    /// <summary>Gets the most records counted (<see cref="McpCompatOptions.MaxSessionRecords"/>).</summary>
    public int Limit => limit;

    /// <summary>
    /// Counts the record of <paramref name="sessionId"/> as written or read now (proven as well when
    /// <paramref name="proven"/>) and returns the records to delete from the store to stay within the limit, which it
    /// no longer counts. The session's own record is never among them.
    /// </summary>
    public IReadOnlyList<string> Admit(string sessionId, bool proven)
    {
        var now = timeProvider.GetTimestamp();
        List<string>? over = null;
        lock (_lock)
        {
            Trim(now);
            if (_entries.TryGetValue(sessionId, out var entry))
            {
                entry.List.Remove(entry.Node);
            }
            else
            {
                entry = new Entry(sessionId);
                _entries[sessionId] = entry;
            }

            entry.Touched = now;
            if (proven)
            {
                entry.Proven = true;
            }

            entry.List = entry.Proven ? _proven : _unproven;
            entry.List.AddLast(entry.Node);

            while (_entries.Count > limit)
            {
                var oldest = _unproven.First is { } first && !ReferenceEquals(first.Value, entry) ? first
                    : _proven.First is { } firstProven && !ReferenceEquals(firstProven.Value, entry) ? firstProven
                    : null;
                if (oldest is null)
                {
                    break;
                }

                Forget(oldest.Value);
                (over ??= []).Add(oldest.Value.Id);
            }
        }

        return over ?? (IReadOnlyList<string>)[];
    }

    /// <summary>
    /// Counts one request on the session: its second proves its record. Lock-free until then; nothing once proven or
    /// for a session this instance holds no record of.
    /// </summary>
    public void Use(string sessionId)
    {
        if (!_entries.TryGetValue(sessionId, out var entry) || Volatile.Read(ref entry.ProvenFlag) != 0 ||
            Interlocked.Increment(ref entry.Uses) < UsesToProve)
        {
            return;
        }

        lock (_lock)
        {
            if (entry.Proven || !_entries.TryGetValue(sessionId, out var current) || !ReferenceEquals(current, entry))
            {
                return;
            }

            entry.List.Remove(entry.Node);
            entry.Proven = true;
            entry.List = _proven;
            _proven.AddLast(entry.Node);
        }
    }

    /// <summary>Gets a value indicating whether this instance wrote or read the session's record within the window.</summary>
    public bool Knows(string sessionId) =>
        _entries.TryGetValue(sessionId, out var entry) && timeProvider.GetElapsedTime(Volatile.Read(ref entry.TouchedAt)) < window;

    /// <summary>Stops counting the session's record (deleted, or found missing).</summary>
    public void Remove(string sessionId)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(sessionId, out var entry))
            {
                Forget(entry);
            }
        }
    }

    // Records no longer written or read for the window have expired in the store: they are not counted.
    private void Trim(long now)
    {
        foreach (var list in (ReadOnlySpan<LinkedList<Entry>>)[_unproven, _proven])
        {
            while (list.First is { } first && timeProvider.GetElapsedTime(first.Value.Touched, now) >= window)
            {
                Forget(first.Value);
            }
        }
    }

    private void Forget(Entry entry)
    {
        entry.List.Remove(entry.Node);
        _entries.TryRemove(new KeyValuePair<string, Entry>(entry.Id, entry));
    }

    private sealed class Entry
    {
        public int Uses;
        public int ProvenFlag;
        public long TouchedAt;

        public Entry(string id)
        {
            Id = id;
            Node = new LinkedListNode<Entry>(this);
            List = null!;
        }

        public string Id { get; }

        public LinkedListNode<Entry> Node { get; }

        public LinkedList<Entry> List { get; set; }

        public long Touched
        {
            get => Volatile.Read(ref TouchedAt);
            set => Volatile.Write(ref TouchedAt, value);
        }

        public bool Proven
        {
            get => Volatile.Read(ref ProvenFlag) != 0;
            set => Volatile.Write(ref ProvenFlag, value ? 1 : 0);
        }
    }
}
