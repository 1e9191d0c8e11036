using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace McpCompat.Tests.AspNetCore;

/// <summary>The health check on the SDK's own host: MaxSessions (a MapMcpCompat setting) plays no part on these paths.</summary>
public sealed class HealthPathTests
{
    private static async Task<HealthReportEntry> CheckAsync(McpTestHost host)
    {
        var report = await host.App.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report.Entries[McpCompatHealthChecksBuilderExtensions.DefaultName];
    }

    private static Task<McpTestHost> StartAsync(McpCompatMode mode, bool stateless = false) => McpTestHost.StartAsync(
        o =>
        {
            o.Mode = mode;
            o.MaxSessions = 1;
        },
        stateless: stateless,
        services: s => s.AddHealthChecks().AddMcpCompat());

    [Fact]
    public async Task Fallback_SessionsPastMaxSessions_HealthyWithTrackedCounts()
    {
        await using var host = await StartAsync(McpCompatMode.Fallback);
        await host.Client.InitializeAsync();
        await host.Client.InitializeAsync();

        var entry = await CheckAsync(host);

        Assert.True(entry.Status == HealthStatus.Healthy, entry.Description);
        Assert.Equal("fallback", entry.Data["path"]);
        Assert.Equal(2, entry.Data["liveSessions"]);
        Assert.False(entry.Data.ContainsKey("maxSessions"));
        Assert.False(entry.Data.ContainsKey("hostedSessions"));
    }

    [Fact]
    public async Task Native_SessionsPastMaxSessions_HealthyWithoutCountsItCannotSee()
    {
        await using var host = await StartAsync(McpCompatMode.Native);
        await host.Client.InitializeAsync();
        await host.Client.InitializeAsync();

        var entry = await CheckAsync(host);

        Assert.True(entry.Status == HealthStatus.Healthy, entry.Description);
        Assert.Equal("native", entry.Data["path"]);
        Assert.False(entry.Data.ContainsKey("liveSessions"));
        Assert.False(entry.Data.ContainsKey("maxSessions"));
    }

    [Fact]
    public async Task Stateless_Healthy_SaysSo()
    {
        await using var host = await StartAsync(McpCompatMode.Auto, stateless: true);

        var entry = await CheckAsync(host);

        Assert.True(entry.Status == HealthStatus.Healthy, entry.Description);
        Assert.Equal("stateless", entry.Data["path"]);
    }
}
