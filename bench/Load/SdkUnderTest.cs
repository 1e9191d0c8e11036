using McpCompat;
using McpCompat.Probing;

namespace Load;

/// <summary>The MCP SDK this build of the driver runs on, as McpCompat's probe sees it, and the path <c>Mode=Auto</c> takes on it.</summary>
/// <param name="Description">The SDK's main assembly and version (<see cref="McpSdkReport.SdkDescription"/>).</param>
/// <param name="AutoPath">The path McpCompat takes in <c>Mode=Auto</c> on a stateful server (<see cref="McpCompatDecision.PathName"/>).</param>
/// <param name="AutoReason">Why (<see cref="McpCompatDecision.Reason"/>).</param>
internal sealed record SdkUnderTest(string Description, string AutoPath, string AutoReason)
{
    /// <summary>Asks the probe, and McpCompat's decision for a stateful server with default options.</summary>
    public static SdkUnderTest Probe()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMcpServer().WithHttpTransport(o => o.Stateless = false).AddMcpCompat();
        using var provider = services.BuildServiceProvider();
        var decision = provider.GetRequiredService<McpCompatDecision>();
        return new(McpSdkProbe.Current.SdkDescription, decision.PathName, decision.Reason);
    }
}
