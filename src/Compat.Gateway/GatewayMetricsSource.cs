using McpCompat.Sessions;
using McpCompat.Telemetry;

namespace McpCompat.Gateway;

/// <summary>What McpCompat's observable instruments read in a gateway: its sessions, on the path named <c>gateway</c>.</summary>
internal sealed class GatewayMetricsSource(SessionTracker tracker) : IMetricsSource
{
    /// <summary>The path the gateway's metrics, logs and health data name.</summary>
    public const string Path = "gateway";

    public long? LiveSessions => tracker.Count;

    public long? IdleSessions => tracker.IdleCount;

    public string PathName => Path;
}
