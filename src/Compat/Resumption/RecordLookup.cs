namespace McpCompat.Resumption;

/// <summary>What a read of a session's record found.</summary>
internal readonly record struct RecordLookup(RecordState State, SessionRecord? Record)
{
    public static RecordLookup Missing => new(RecordState.Missing, null);

    public static RecordLookup Ended => new(RecordState.Ended, null);

    public static RecordLookup Unavailable => new(RecordState.Unavailable, null);

    public static RecordLookup Of(SessionRecord record) => new(RecordState.Found, record);
}


/// <summary>The outcome of reading a session's record.</summary>
internal enum RecordState
{
    /// <summary>The record is there: the session can resume, for its owner.</summary>
    Found,

    /// <summary>No record (never written, expired, dropped, or not readable): the session is unknown.</summary>
    Missing,

    /// <summary>Its client deleted the session: it never resumes.</summary>
    Ended,

    /// <summary>The store failed or did not answer in time: nothing is known; the client may try again.</summary>
    Unavailable,
}
