namespace McpCompat.Resumption;

/// <summary>The limits of <see cref="SessionRecordStore"/>, from <see cref="McpCompatOptions"/>.</summary>
internal sealed record SessionRecordSettings(TimeSpan Window, TimeSpan Timeout, int MaxRecords, int MaxRecordBytes)
{
    public static SessionRecordSettings From(McpCompatOptions options) =>
        new(options.SessionResumeWindow, options.SessionStoreTimeout, options.MaxSessionRecords, options.MaxSessionRecordBytes);
}
