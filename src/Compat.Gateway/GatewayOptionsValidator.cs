using Microsoft.Extensions.Options;

namespace McpCompat.Gateway;

/// <summary>
/// Validates <see cref="McpCompatGatewayOptions"/> at host start: every header named in
/// <see cref="McpCompatGatewayOptions.SessionHeaders"/> is a valid header name and not one the gateway writes itself.
/// Every failure names the setting and the value.
/// </summary>
internal sealed class GatewayOptionsValidator : IValidateOptions<McpCompatGatewayOptions>
{
    /// <summary>The setting's name in configuration, as failures say it.</summary>
    public const string SessionHeadersSetting = McpCompatOptions.SectionName + ":" + McpCompatGatewayOptions.SectionName + ":" + nameof(McpCompatGatewayOptions.SessionHeaders);

    // The gateway's own requests set these from the session or the message; hop-by-hop headers are the connection's.
    private static readonly HashSet<string> Written = new(StringComparer.OrdinalIgnoreCase)
    {
        "Accept", "Connection", "Content-Length", "Content-Type", "Host", "Keep-Alive", "Last-Event-ID", "Mcp-Method", "Mcp-Session-Id",
        "MCP-Protocol-Version", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "User-Agent",
    };

    public ValidateOptionsResult Validate(string? name, McpCompatGatewayOptions options)
    {
        var failures = new List<string>();
        foreach (var header in options.SessionHeaders)
        {
            if (string.IsNullOrWhiteSpace(header) || !header.All(IsTokenChar))
            {
                failures.Add($"{SessionHeadersSetting} = '{header}' is invalid: not an HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only).");
            }
            else if (Written.Contains(header))
            {
                failures.Add($"{SessionHeadersSetting} = '{header}' is invalid: the gateway writes that header itself; name the headers that carry a client's credentials, such as Authorization.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c);
}
