namespace McpCompat.Http;

/// <summary>The JSON-RPC error codes McpCompat answers with: the one place they are written.</summary>
internal static class JsonRpcErrorCodes
{
    /// <summary>JSON-RPC's "Parse error": the body is not JSON.</summary>
    public const int ParseError = -32700;

    /// <summary>JSON-RPC's "Invalid Request": the body is JSON but not one JSON-RPC message.</summary>
    public const int InvalidRequest = -32600;

    /// <summary>JSON-RPC's "Invalid params": the request's <c>params</c> are not what its method takes.</summary>
    public const int InvalidParams = -32602;

    /// <summary>
    /// The first of JSON-RPC's implementation-defined server errors: what the MCP SDKs answer a refused HTTP request
    /// with (a header, a limit or access).
    /// </summary>
    public const int ServerError = -32000;

    /// <summary>The MCP SDKs' code for an unknown or ended session, answered with HTTP 404.</summary>
    public const int SessionNotFound = -32001;

    /// <summary>JSON-RPC's "Method not found".</summary>
    public const int MethodNotFound = -32601;

    /// <summary>MCP's code for an HTTP header that disagrees with the request's body (2026-07-28).</summary>
    public const int HeaderMismatch = -32020;

    /// <summary>MCP's code for a request that needs a client capability the client did not declare (2026-07-28).</summary>
    public const int MissingRequiredClientCapability = -32021;

    /// <summary>
    /// MCP's code for a protocol revision the server does not support, with <c>data.supported</c> listing those it does:
    /// a client that speaks several picks another, or falls back to the <c>initialize</c> handshake (2026-07-28).
    /// </summary>
    public const int UnsupportedProtocolVersion = -32022;
}
