namespace McpCompat.MapMcpCompat;

/// <summary>What a GET request gets when it asks for its session's one SSE stream.</summary>
internal enum GetStreamClaim
{
    /// <summary>The stream is this request's.</summary>
    Opened,

    /// <summary>Another request holds the stream open.</summary>
    AlreadyOpen,

    /// <summary>The session's stream was opened and has ended; the SDK's transport does not open it again.</summary>
    Ended,
}
