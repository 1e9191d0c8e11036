namespace McpCompat.Probing;

/// <summary>The API shape of the SDK's <c>StreamableHttpServerTransport</c>; MapMcpCompat has one adapter for each.</summary>
internal enum TransportApiShape
{
    /// <summary>1.0.0 and later: <c>HandlePostRequestAsync(JsonRpcMessage, Stream, CancellationToken)</c>; the host parses the message.</summary>
    Message,

    /// <summary>0.2: <c>HandlePostRequest(IDuplexPipe, CancellationToken)</c>; the transport reads the message from a pipe.</summary>
    Pipe,
}

/// <summary>The names logs, the cell report and the CLI give the shapes.</summary>
internal static class TransportApiShapeNames
{
    public static string ToName(this TransportApiShape shape) => shape == TransportApiShape.Message ? "message" : "pipe";
}
