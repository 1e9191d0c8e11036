namespace McpCompat.Sessions;

/// <summary>Why a tracked session ended.</summary>
internal enum EvictionReason
{
    /// <summary>Idle longer than the idle timeout.</summary>
    IdleTimeout,

    /// <summary>Among the longest idle while there were more idle sessions than allowed.</summary>
    MaxIdleSessions,

    /// <summary>Among the longest idle when a new session needed room under the total session limit.</summary>
    MaxSessions,

    /// <summary>Ended because the application shut down.</summary>
    Shutdown,

    /// <summary>Ended by its client (a <c>DELETE</c>).</summary>
    Deleted,
}
