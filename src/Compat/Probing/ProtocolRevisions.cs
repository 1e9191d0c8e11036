namespace McpCompat.Probing;

/// <summary>
/// The protocol revisions <c>MapMcpCompat</c> accepts in <c>MCP-Protocol-Version</c>: exactly those of the SDK in use,
/// read once by the probe. Those without sessions (2026-07-28 and later, where the SDK has them) are served one
/// request at a time, statelessly.
/// </summary>
internal sealed class ProtocolRevisions
{
    private readonly HashSet<string>? _supported;
    private readonly HashSet<string> _sessionless;

    public ProtocolRevisions(IReadOnlyList<string>? supported, IReadOnlyList<string> sessionless)
    {
        _supported = supported is null ? null : new HashSet<string>(supported, StringComparer.Ordinal);
        _sessionless = new HashSet<string>(sessionless, StringComparer.Ordinal);
        Supported = supported ?? [];
        WithSessions = Supported.Where(v => !_sessionless.Contains(v)).ToArray();
    }

    /// <summary>Gets the SDK's revisions, oldest first (empty when the probe did not find its list).</summary>
    public IReadOnlyList<string> Supported { get; }

    /// <summary>Gets the SDK's revisions that have sessions and the <c>initialize</c> handshake.</summary>
    public IReadOnlyList<string> WithSessions { get; }

    public static ProtocolRevisions From(McpSdkReport report) =>
        new(report.Members.ProtocolVersions, report.Members.SessionlessProtocolVersions);

    /// <summary>
    /// Whether a client may name <paramref name="version"/>: a revision of the SDK's list. Were that list not found,
    /// every revision passes and the SDK's server negotiates, as it does with a client that sends no header.
    /// </summary>
    public bool IsSupported(string version) => _supported is null || _supported.Contains(version);

    /// <summary>Whether <paramref name="version"/> is a revision of the SDK's without sessions: served statelessly.</summary>
    public bool IsSessionless(string version) => _sessionless.Contains(version);
}
