namespace McpCompat.Sessions;

/// <summary>A session claimed for eviction, with the moment it had become idle.</summary>
internal readonly record struct SessionClaim(TrackedSession Session, long IdleSince);
