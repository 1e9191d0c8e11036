using McpCompat.Decision;
using McpCompat.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace McpCompat.Tests;

/// <summary>The decision an application can inject: the one McpCompat made and applied, never computed again.</summary>
[Collection(HostingTestTools.Collection)]
public sealed class DecisionViewTests
{
    [Fact]
    public async Task MapMcpCompat_InjectedDecision_IsHostedAndTheRuntimesOwn()
    {
        await using var host = await CompatTestHost.StartAsync();

        var decision = host.App.Services.GetRequiredService<McpCompatDecision>();

        Assert.Same(host.App.Services.GetRequiredService<McpCompatRuntime>().Decision, decision);
        Assert.Equal(McpCompatPath.Hosted, decision.Path);
        Assert.Equal("hosted", decision.PathName);
        Assert.Contains("MapMcpCompat hosts Streamable HTTP", decision.Reason, StringComparison.Ordinal);
        Assert.Equal($"hosted: {decision.Reason}", decision.ToString());
    }

    [Fact]
    public void PathNames_EveryPathNamed_NamesDistinct()
    {
        var names = Enum.GetValues<McpCompatPath>().Select(p => p.ToName()).ToArray();

        Assert.Equal(names.Length, names.Distinct(StringComparer.Ordinal).Count());
        Assert.Throws<ArgumentOutOfRangeException>(() => ((McpCompatPath)99).ToName());
    }
}

/// <summary>The probe report is a service: a made-up SDK registered before AddMcpCompat drives every decision.</summary>
public sealed class ReplaceableReportTests
{
    [Fact]
    public void MadeUpReportWithoutSdk_RegisteredFirst_DecisionFollowsIt()
    {
        var madeUp = McpCompat.Probing.McpSdkProbe.Inspect([]);
        var services = new ServiceCollection().AddLogging().AddSingleton(madeUp);
        services.AddMcpServer().AddMcpCompat();
        using var provider = services.BuildServiceProvider();

        Assert.Same(madeUp, provider.GetRequiredService<McpSdkReport>());
        var decision = provider.GetRequiredService<McpCompatDecision>();
        Assert.Equal(McpCompatPath.NoHttpHost, decision.Path);
        Assert.Contains("ModelContextProtocol.AspNetCore is not loaded", decision.Reason, StringComparison.Ordinal);
    }
}
