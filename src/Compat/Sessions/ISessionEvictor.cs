namespace McpCompat.Sessions;

/// <summary>Ends a session the way its host ends sessions.</summary>
internal interface ISessionEvictor
{
    /// <summary>Ends the session; returns <see langword="false"/> when the host refused, so the session stays tracked.</summary>
    Task<bool> EvictAsync(TrackedSession session, CancellationToken cancellationToken);
}
