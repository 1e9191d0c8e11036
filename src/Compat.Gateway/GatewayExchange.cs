namespace McpCompat.Gateway;

/// <summary>One request relayed upstream: where it goes, for which session, and what came back.</summary>
internal sealed class GatewayExchange(GatewayUpstream upstream, GatewaySession? session, bool isInitialize)
{
    public GatewayUpstream Upstream { get; } = upstream;

    /// <summary>Gets the client's session the request belongs to, or <see langword="null"/> (a new session, or none).</summary>
    public GatewaySession? Session { get; } = session;

    /// <summary>Gets a value indicating whether the request is an <c>initialize</c> outside a session, admitted under MaxSessions.</summary>
    public bool IsInitialize { get; } = isInitialize;

    /// <summary>Gets or sets the session the upstream started in answer to this <c>initialize</c>.</summary>
    public GatewaySession? Started { get; set; }

    /// <summary>Gets or sets the upstream's status code, once it answered.</summary>
    public int? UpstreamStatus { get; set; }
}
