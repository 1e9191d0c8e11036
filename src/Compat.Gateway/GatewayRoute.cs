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

    /// <summary>
    /// Picks the upstream for a new session, or a request without one: of those not found unreachable within the last
    /// <see cref="GatewayUpstream.DownFor"/> (all of them, when every one was), the one that holds the fewest sessions;
    /// never one in <paramref name="tried"/> while another is left.
    /// </summary>
    public GatewayUpstream Pick(long now, IReadOnlyCollection<GatewayUpstream>? tried = null)
    {
        GatewayUpstream? best = null;
        foreach (var pass in (ReadOnlySpan<bool>)[true, false])
        {
            foreach (var upstream in Upstreams)
            {
                if ((tried is not null && tried.Contains(upstream)) || (pass && upstream.IsDown(now)))
                {
                    continue;
                }

                if (best is null || upstream.Sessions < best.Sessions)
                {
                    best = upstream;
                }
            }

            if (best is not null)
            {
                return best;
            }
        }

        return Upstreams[0];
    }
}
