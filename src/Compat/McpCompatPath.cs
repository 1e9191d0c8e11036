namespace McpCompat;

/// <summary>Who reclaims idle sessions in this application, as decided at startup.</summary>
internal enum McpCompatPath
{
    /// <summary>The SDK's own idle timeout, configured by McpCompat.</summary>
    Native,

    /// <summary>McpCompat's tracker and sweeper, in front of the SDK's <c>MapMcp</c> endpoint.</summary>
    Fallback,

    /// <summary>The SDK runs stateless Streamable HTTP: there are no sessions to expire.</summary>
    Stateless,

    /// <summary>No SDK host of Streamable HTTP was found: nothing for McpCompat to attach to.</summary>
    NoHttpHost,
}
