namespace McpCompat;

/// <summary>
/// Chooses who reclaims idle Model Context Protocol sessions.
/// </summary>
public enum McpCompatMode
{
    /// <summary>
    /// Use the SDK's own idle timeout when the probe finds it and no known defect affects it;
    /// otherwise use McpCompat's tracker and sweeper.
    /// </summary>
    Auto = 0,

    /// <summary>
    /// Require the SDK's own idle timeout. Host start fails when the installed SDK lacks it.
    /// </summary>
    Native = 1,

    /// <summary>
    /// Always use McpCompat's tracker and sweeper; the SDK's own idle timeout is switched off.
    /// </summary>
    Fallback = 2,
}
