using System.Security.Claims;

namespace McpCompat.Sessions;

/// <summary>
/// What McpCompat knows of one session: requests in flight, when the last one ended, and who created it.
/// A session with a request in flight is active and never evicted; it is idle from the end of its last request.
/// </summary>
internal sealed class TrackedSession
{
    private const int Live = 0;
    private const int Evicting = 1;
    private const int Gone = 2;

    private readonly object _gate = new();
    private int _inFlight;
    private long _lastActivity;
    private int _state;

    public TrackedSession(string id, ISessionEvictor evictor, ClaimsPrincipal? creator, SessionOrigin? origin, long createdTimestamp, int inFlight)
    {
        Id = id;
        Evictor = evictor;
        Creator = creator;
        Origin = origin;
        _lastActivity = createdTimestamp;
        _inFlight = inFlight;
    }

    public string Id { get; }

    /// <summary>Gets what ends this session: the component that created it knows how.</summary>
    public ISessionEvictor Evictor { get; }

    /// <summary>Gets the principal whose request created the session; the session is ended as that principal.</summary>
    public ClaimsPrincipal? Creator { get; }

    /// <summary>Gets where the session was created, so that it can be ended the protocol's way.</summary>
    public SessionOrigin? Origin { get; }

    /// <summary>Gets or sets the last <c>MCP-Protocol-Version</c> header the client sent.</summary>
    public string? ProtocolVersion { get; set; }

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Gets the <see cref="TimeProvider"/> timestamp at which the session last became idle.</summary>
    public long LastActivity => Volatile.Read(ref _lastActivity);

    public bool IsLive => Volatile.Read(ref _state) == Live;

    public bool IsGone => Volatile.Read(ref _state) == Gone;

    /// <summary>Counts a request in; fails once the session is being evicted or is gone.</summary>
    public bool TryEnter()
    {
        lock (_gate)
        {
            if (_state != Live)
            {
                return false;
            }

            _inFlight++;
            return true;
        }
    }

    /// <summary>Counts a request out; the session is idle from <paramref name="timestamp"/> when it was the last.</summary>
    public void Exit(long timestamp)
    {
        lock (_gate)
        {
            if (_inFlight > 0 && --_inFlight == 0)
            {
                _lastActivity = timestamp;
            }
        }
    }

    /// <summary>
    /// Claims the session for eviction: only when no request is in flight and nothing happened since
    /// <paramref name="observedLastActivity"/>, so a session that became active again is never evicted.
    /// </summary>
    public bool TryBeginEviction(long observedLastActivity)
    {
        lock (_gate)
        {
            if (_state != Live || _inFlight != 0 || _lastActivity != observedLastActivity)
            {
                return false;
            }

            _state = Evicting;
            return true;
        }
    }

    /// <summary>Returns a session whose eviction did not go through to service.</summary>
    public void CancelEviction()
    {
        lock (_gate)
        {
            if (_state == Evicting)
            {
                _state = Live;
            }
        }
    }

    public void MarkGone()
    {
        lock (_gate)
        {
            _state = Gone;
        }
    }
}
