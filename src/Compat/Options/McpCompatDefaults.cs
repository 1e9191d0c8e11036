namespace McpCompat.Options;

/// <summary>The defaults of McpCompat's settings, as each setting's documentation states them.</summary>
internal static class McpCompatDefaults
{
    /// <summary>The idle timeout McpCompat's own path uses when none is set: 2 hours, the SDK's own default.</summary>
    public static readonly TimeSpan SessionIdleTimeout = TimeSpan.FromHours(2);

    /// <summary>The idle-session limit McpCompat's own path uses when none is set: 10,000, the SDK's own default.</summary>
    public const int MaxIdleSessions = 10_000;

    /// <summary>The default <see cref="McpCompatOptions.MaxSessions"/>: 10,000.</summary>
    public const int MaxSessions = 10_000;

    /// <summary>The default <see cref="McpCompatOptions.KeepAliveInterval"/>: 15 seconds.</summary>
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    /// <summary>The default <see cref="McpCompatOptions.SweepInterval"/>: 1 second.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    /// <summary>The default <see cref="McpCompatOptions.MaxSessionRecords"/>: 10,000, as many as the default <see cref="McpCompatOptions.MaxSessions"/>.</summary>
    public const int MaxSessionRecords = 10_000;

    /// <summary>The default <see cref="McpCompatOptions.MaxSessionRecordBytes"/>: 4,096 bytes.</summary>
    public const int MaxSessionRecordBytes = 4_096;

    /// <summary>The smallest <see cref="McpCompatOptions.MaxSessionRecordBytes"/> accepted: 256 bytes, below any real client's record.</summary>
    public const int MinSessionRecordBytes = 256;

    /// <summary>The default <see cref="McpCompatOptions.SessionStoreTimeout"/>: 2 seconds.</summary>
    public static readonly TimeSpan SessionStoreTimeout = TimeSpan.FromSeconds(2);
}
