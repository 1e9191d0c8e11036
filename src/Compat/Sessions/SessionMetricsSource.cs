using McpCompat.Decision;
using McpCompat.Telemetry;

namespace McpCompat.Sessions;

/// <summary>
/// What the observable instruments read: the tracked sessions, only where McpCompat's sweeper is in charge of some
/// (on the native path the SDK holds its sessions out of sight, and the gauges report nothing rather than a misleading
/// zero), and the path taken.
/// </summary>
internal sealed class SessionMetricsSource(SessionTracker tracker, McpCompatRuntime runtime) : IMetricsSource
{
    public long? LiveSessions => runtime.SweeperNeeded ? tracker.Count : null;

    public long? IdleSessions => runtime.SweeperNeeded ? tracker.IdleCount : null;

    public string PathName => runtime.PathName;
}
