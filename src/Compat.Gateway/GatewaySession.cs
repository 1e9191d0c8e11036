using McpCompat.Sessions;

namespace McpCompat.Gateway;

/// <summary>
/// A session as the gateway holds it: the id its client knows (the gateway's own), and the upstream and upstream session
/// id it stands for. The client's id never changes; what it stands for may (a session rebuilt on another upstream).
/// </summary>
internal sealed class GatewaySession(string id, GatewaySessions owner, GatewayUpstream upstream, string upstreamId, long createdTimestamp)
    : TrackedSession(id, owner, createdTimestamp, inFlight: 1)
{
    /// <summary>Gets the upstream that holds the session.</summary>
    public GatewayUpstream Upstream { get; } = upstream;

    /// <summary>Gets the session's id on its upstream.</summary>
    public string UpstreamId { get; } = upstreamId;

    /// <summary>Gets or sets the protocol revision the client's requests name (<c>MCP-Protocol-Version</c>), once one has.</summary>
    public string? ProtocolVersion { get; set; }
}
