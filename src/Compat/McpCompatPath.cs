namespace McpCompat;

/// <summary>Who reclaims idle sessions in this application, as decided once at startup (see <see cref="McpCompatDecision"/>).</summary>
public enum McpCompatPath
{
    /// <summary>The SDK's own idle timeout, configured by McpCompat (name <c>native</c>).</summary>
    Native,

    /// <summary>McpCompat's tracker and sweeper, in front of the SDK's <c>MapMcp</c> endpoint (name <c>fallback</c>).</summary>
    Fallback,

    /// <summary>The SDK runs stateless Streamable HTTP: there are no sessions to expire (name <c>stateless</c>).</summary>
    Stateless,

    /// <summary><c>MapMcpCompat</c> hosts Streamable HTTP over the SDK's transport; McpCompat's sweeper ends its sessions (name <c>hosted</c>).</summary>
    Hosted,

    /// <summary>No host of Streamable HTTP was found, the SDK's or <c>MapMcpCompat</c>: nothing for McpCompat to attach to (name <c>no_http_host</c>).</summary>
    NoHttpHost,
}
