namespace McpCompat.Gateway;

/// <summary>The gateways the application mapped, for the start-up log and the health check.</summary>
internal sealed class GatewayRoutes
{
    private readonly List<GatewayRoute> _routes = [];

    public IReadOnlyList<GatewayRoute> All
    {
        get
        {
            lock (_routes)
            {
                return [.. _routes];
            }
        }
    }

    public void Add(GatewayRoute route)
    {
        lock (_routes)
        {
            _routes.Add(route);
        }
    }
}
