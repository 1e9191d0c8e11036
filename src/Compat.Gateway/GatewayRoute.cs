namespace McpCompat.Gateway;

/// <summary>One <c>MapMcpCompatGateway</c>: the route it serves and the upstreams (replicas) behind it.</summary>
internal sealed class GatewayRoute(string pattern, IReadOnlyList<GatewayUpstream> upstreams)
{
    public string Pattern { get; } = pattern;

    public IReadOnlyList<GatewayUpstream> Upstreams { get; } = upstreams;

    /// <summary>Gets the upstream whose endpoint is <paramref name="endpoint"/> (as a record names it), or <see langword="null"/>.</summary>
    public GatewayUpstream? Find(string endpoint)
    {
        foreach (var upstream in Upstreams)
        {
            if (string.Equals(upstream.Endpoint.AbsoluteUri, endpoint, StringComparison.Ordinal))
            {
                return upstream;
            }
        }

        return null;
    }

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
