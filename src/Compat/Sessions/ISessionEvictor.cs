namespace McpCompat.Sessions;

/// <summary>
/// Ends a session the way its host ends sessions. The host that added the session to the <see cref="SessionTracker"/>
/// is the one that removes it: an evictor that ends a session also removes it from the tracker.
/// </summary>
internal interface ISessionEvictor
{
    /// <summary>
    /// Ends the session and removes it from the tracker; returns <see langword="false"/> when the host refused, so the
    /// session stays tracked (the sweeper then returns it to service).
    /// </summary>
    Task<bool> EvictAsync(TrackedSession session, CancellationToken cancellationToken);
}
