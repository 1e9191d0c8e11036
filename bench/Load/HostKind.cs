namespace Load;

/// <summary>The Streamable HTTP host an MCP server runs behind.</summary>
internal enum HostKind
{
    /// <summary>The SDK's own host: <c>MapMcp</c> (ModelContextProtocol.AspNetCore), stateful, at the SDK's defaults, no McpCompat.</summary>
    MapMcp,

    /// <summary>McpCompat's host: <c>MapMcpCompat</c> over the SDK's transport (ModelContextProtocol.Core), at McpCompat's defaults.</summary>
    MapMcpCompat,
}
