namespace McpCompat.Options;

/// <summary>The defaults of McpCompat's settings, where a setting's default is more than a literal.</summary>
internal static class McpCompatDefaults
{
    /// <summary>The default <see cref="McpCompatOptions.MaxSessionRecords"/>: 10,000, as many as the default <see cref="McpCompatOptions.MaxSessions"/>.</summary>
    public const int MaxSessionRecords = 10_000;

    /// <summary>The default <see cref="McpCompatOptions.MaxSessionRecordBytes"/>: 4,096 bytes.</summary>
    public const int MaxSessionRecordBytes = 4_096;

    /// <summary>The smallest <see cref="McpCompatOptions.MaxSessionRecordBytes"/> accepted: 256 bytes, below any real client's record.</summary>
    public const int MinSessionRecordBytes = 256;

    /// <summary>The default <see cref="McpCompatOptions.SessionStoreTimeout"/>: 2 seconds.</summary>
    public static readonly TimeSpan SessionStoreTimeout = TimeSpan.FromSeconds(2);
}
