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

    [Fact]
    public async Task SessionStoreFailing_Degraded_NamingTheProblem_RecordsCounted()
    {
        var cache = (McpCompat.Tests.Support.FakeDistributedCache?)null;
        await using var host = await CompatTestHost.StartAsync(
            o =>
            {
                o.SessionResumeWindow = TimeSpan.FromHours(1);
                o.MaxSessionRecords = 10;
            },
            services: s => s.AddHealthChecks().AddMcpCompat().Services
                .AddSingleton<Microsoft.Extensions.Caching.Distributed.IDistributedCache>(sp => cache = new McpCompat.Tests.Support.FakeDistributedCache(sp.GetRequiredService<TimeProvider>())));
        await host.Client.InitializeAsync();
        var healthy = await CheckAsync(host);
        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal(1, healthy.Data["sessionRecords"]);

        cache!.Failing = true;
        await host.Client.InitializeAsync();

        var entry = await CheckAsync(host);
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("the session store", entry.Description, StringComparison.Ordinal);
        Assert.Contains("threw InvalidOperationException", entry.Description, StringComparison.Ordinal);
    }
}
