namespace Load;

/// <summary>How a load server handles idle sessions.</summary>
internal enum ServerMode
{
    /// <summary>No McpCompat; the SDK's own defaults (2 h idle timeout, 10,000 idle sessions).</summary>
    Off,

    /// <summary>McpCompat with <c>Mode=Fallback</c>: its tracking middleware in front of the SDK and its own sweeper.</summary>
    Fallback,

    /// <summary>McpCompat with <c>Mode=Native</c>: the timeout passed through to the SDK's own sweeper.</summary>
    Native,

    /// <summary>No McpCompat; the SDK's idle timeout infinite and its idle-session limit at <see cref="int.MaxValue"/>: nothing is ever reclaimed.</summary>
    Unbounded,
}
