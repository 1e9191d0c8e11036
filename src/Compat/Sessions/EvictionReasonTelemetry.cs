using McpCompat.Telemetry;

namespace McpCompat.Sessions;

/// <summary>Counts ended sessions by <see cref="EvictionReason"/>, with the tag values the metrics document.</summary>
internal static class EvictionReasonTelemetry
{
    /// <summary>Counts one session that ended, tagged with why.</summary>
    public static void SessionEnded(this McpCompatMetrics metrics, EvictionReason reason) => metrics.SessionEnded(reason.ToTag());

    /// <summary>Gets the value of the tag <c>mcpcompat.session.end_reason</c> for <paramref name="reason"/>.</summary>
    public static string ToTag(this EvictionReason reason) => reason switch
    {
        EvictionReason.IdleTimeout => "idle_timeout",
        EvictionReason.MaxIdleSessions => "max_idle_sessions",
        EvictionReason.MaxSessions => "max_sessions",
        EvictionReason.Shutdown => "shutdown",
        EvictionReason.Deleted => "deleted",
        _ => "other",
    };
}
