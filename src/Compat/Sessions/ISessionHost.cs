namespace McpCompat.Sessions;

/// <summary>
/// A host that keeps live sessions in this process (<c>MapMcpCompat</c>'s, or the SDK's <c>MapMcp</c>): what the kernels
/// may ask of a room without naming it. Each room registers its own.
/// </summary>
internal interface ISessionHost
{
    /// <summary>How long ending a session waits for its server to stop.</summary>
    static readonly TimeSpan EndWait = TimeSpan.FromSeconds(5);

    /// <summary>Gets the sessions the host keeps, or <see langword="null"/> when it cannot count them (the SDK's table).</summary>
    int? Count { get; }

    /// <summary>
    /// Ends the session <paramref name="sessionId"/> of <paramref name="owner"/> if this host keeps it; returns whether
    /// it did.
    /// </summary>
    Task<bool> EndAsync(string sessionId, UserKey? owner);
}
