namespace McpCompat.Gateway;

/// <summary>Where a session lives upstream: the upstream (replica) and the session's id there. Replaced whole when the session is rebuilt.</summary>
internal sealed record GatewayBinding(GatewayUpstream Upstream, string UpstreamId);
