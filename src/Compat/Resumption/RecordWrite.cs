namespace McpCompat.Resumption;

/// <summary>The outcome of writing a session's record.</summary>
internal enum RecordWrite
{
    /// <summary>Written: the session can resume once evicted.</summary>
    Saved,

    /// <summary>Its client deleted the session meanwhile: nothing is kept, and a live copy is to be ended.</summary>
    Ended,

    /// <summary>Over <see cref="McpCompatOptions.MaxSessionRecordBytes"/>: not written.</summary>
    TooLarge,

    /// <summary>Its record was deleted to keep <see cref="McpCompatOptions.MaxSessionRecords"/>: not written again.</summary>
    Dropped,

    /// <summary>The store failed or did not answer in time: the session may not resume.</summary>
    Unavailable,
}
