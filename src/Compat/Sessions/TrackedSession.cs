namespace McpCompat.Sessions;

/// <summary>
/// What McpCompat knows of one session: requests in flight, when the last one ended, and what ends it. A path that
/// needs more per session (the fallback path: who created it and where) derives from this type.
/// A session with a request in flight is active and never evicted; it is idle from the end of its last request.
/// State changes go through the <see cref="SessionTracker"/> that holds the session, under its lock, so that the
/// tracker's idle list (oldest idle first) stays in order.
/// </summary>
internal class TrackedSession
{
    internal const int Live = 0;
    internal const int Evicting = 1;
    internal const int Gone = 2;

    // Written only under the tracker's lock; read without it through Volatile.
    internal int InFlightCount;
    internal long LastActivityTimestamp;
    internal int State;

    // The tracker's idle list: linked while live and idle.
    internal TrackedSession? Previous;
    internal TrackedSession? Next;
    internal bool InIdleList;

    public TrackedSession(string id, ISessionEvictor evictor, long createdTimestamp, int inFlight)
    {
        Id = id;
        Evictor = evictor;
        LastActivityTimestamp = createdTimestamp;
        InFlightCount = inFlight;
    }

    public string Id { get; }

    /// <summary>Gets what ends this session: the component that created it knows how.</summary>
    public ISessionEvictor Evictor { get; }

    /// <summary>Gets the tracker that holds the session, once added.</summary>
    internal SessionTracker? Tracker { get; set; }

    public int InFlight => Volatile.Read(ref InFlightCount);

    /// <summary>Gets the <see cref="TimeProvider"/> timestamp at which the session last became idle.</summary>
    public long LastActivity => Volatile.Read(ref LastActivityTimestamp);

    public bool IsLive => Volatile.Read(ref State) == Live;

    public bool IsGone => Volatile.Read(ref State) == Gone;

    /// <summary>Counts a request in; fails once the session is being evicted or is gone.</summary>
    public bool TryEnter() => RequireTracker().TryEnter(this);

    /// <summary>Counts a request out; the session is idle from <paramref name="timestamp"/> when it was the last.</summary>
    public void Exit(long timestamp) => RequireTracker().Exit(this, timestamp);

    private SessionTracker RequireTracker() =>
        Tracker ?? throw new InvalidOperationException($"Session '{Id}' is not held by a {nameof(SessionTracker)}.");
}
