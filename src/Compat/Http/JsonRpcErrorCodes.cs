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
}
