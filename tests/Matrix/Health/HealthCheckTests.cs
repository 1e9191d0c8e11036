using McpCompat.Sessions;
using McpCompat.Tests.Hosting;
using McpCompat.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace McpCompat.Tests.Health;

[Collection(HostingTestTools.Collection)]
public sealed class HealthCheckTests
{
    private static Task<CompatTestHost> StartAsync(Action<McpCompatOptions>? configure = null) =>
        CompatTestHost.StartAsync(configure, services: s => s.AddHealthChecks().AddMcpCompat());

    private static async Task<HealthReportEntry> CheckAsync(CompatTestHost host)
    {
        var report = await host.App.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report.Entries[McpCompatHealthChecksBuilderExtensions.DefaultName];
    }

    [Fact]
    public async Task Running_Healthy_WithProbeSummaryAndCounts()
    {
        await using var host = await StartAsync();
        await host.Client.InitializeAsync();

        var entry = await CheckAsync(host);

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("hosted", entry.Data["path"]);
        Assert.Contains("ModelContextProtocol", (string)entry.Data["sdk"], StringComparison.Ordinal);
        Assert.Equal(1, entry.Data["liveSessions"]);
    }

    [Fact]
    public async Task NearMaxSessions_Degraded()
    {
        await using var host = await StartAsync(o => o.MaxSessions = 2);
        await host.Client.InitializeAsync();
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host)).Status);

        await host.Client.InitializeAsync();

        var entry = await CheckAsync(host);
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("McpCompat:MaxSessions = 2", entry.Description, StringComparison.Ordinal);
        Assert.Equal(2, entry.Data["hostedSessions"]);
    }

    [Fact]
    public async Task SweeperStopped_DegradedOnceOverdue()
    {
        await using var host = await StartAsync();
        await SweeperService.StopAsync(host.App.Services);

        host.Time.Advance(TimeSpan.FromSeconds(2) + SessionSweeper.EvictionWait);
        var before = await CheckAsync(host);
        Assert.True(before.Status == HealthStatus.Healthy, before.Description);

        host.Time.Advance(TimeSpan.FromSeconds(1));
        var entry = await CheckAsync(host);
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("sweeper last ran", entry.Description, StringComparison.Ordinal);
    }
}
