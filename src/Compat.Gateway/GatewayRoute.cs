namespace McpCompat.Gateway;

/// <summary>One <c>MapMcpCompatGateway</c>: the route it serves and the upstreams (replicas) behind it.</summary>
internal sealed class GatewayRoute(string pattern, IReadOnlyList<GatewayUpstream> upstreams)
{
    public string Pattern { get; } = pattern;

    public IReadOnlyList<GatewayUpstream> Upstreams { get; } = upstreams;

    /// <summary>Picks the upstream for a new session, or a request without one: the one that holds the fewest sessions.</summary>
    public GatewayUpstream Pick()
    {
        var best = Upstreams[0];
        for (var i = 1; i < Upstreams.Count; i++)
        {
            if (Upstreams[i].Sessions < best.Sessions)
            {
                best = Upstreams[i];
            }
        }

        return best;
    }
}
