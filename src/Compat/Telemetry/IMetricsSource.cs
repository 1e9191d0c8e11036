namespace McpCompat.Telemetry;

/// <summary>What McpCompat's observable instruments read, supplied by the kernel that knows it: telemetry reads nothing itself.</summary>
internal interface IMetricsSource
{
    /// <summary>Gets the sessions McpCompat tracks, or <see langword="null"/> where it tracks none (the SDK holds them).</summary>
    long? LiveSessions { get; }

    /// <summary>Gets the tracked sessions with no request in flight, or <see langword="null"/> where McpCompat tracks none.</summary>
    long? IdleSessions { get; }

    /// <summary>Gets the name of the path McpCompat took, as the tag <c>mcpcompat.path</c>.</summary>
    string PathName { get; }
}
