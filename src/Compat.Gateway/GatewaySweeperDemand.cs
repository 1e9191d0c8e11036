using McpCompat.Decision;

namespace McpCompat.Gateway;

/// <summary>The gateway's sessions are McpCompat's to expire: its sweeper always runs.</summary>
internal sealed class GatewaySweeperDemand : ISweeperDemand
{
    public bool SweeperNeeded => true;
}
