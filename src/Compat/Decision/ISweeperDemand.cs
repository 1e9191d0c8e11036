namespace McpCompat.Decision;

/// <summary>
/// Whether McpCompat's own sweeper has sessions to expire in this application: its fallback path or sessions it hosts
/// (the decision, <see cref="McpCompatRuntime"/>), or a gateway's sessions.
/// </summary>
internal interface ISweeperDemand
{
    /// <summary>Gets a value indicating whether the sweeper must run.</summary>
    bool SweeperNeeded { get; }
}
