using McpCompat.Probing;
using McpCompat.Sessions;
using McpCompat.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace McpCompat.Tests.Hosting;

/// <summary>What McpCompat logs is true of the application: what it mapped, whether sessions resume, what it ended.</summary>
[Collection(HostingTestTools.Collection)]
public sealed class StartupLogTests
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Startup_NoEndpointMapped_SaysWhatToCall_NoPathLine()
    {
        var builder = TestWebApplication.CreateBuilder(new FakeTimeProvider());
        builder.Services.AddMcpServer().AddMcpCompat();
        await using var app = builder.Build();
        await app.StartAsync();

        var records = app.Services.GetFakeLogCollector().GetSnapshot();
        await app.StopAsync();
        var warning = Assert.Single(records, r => r.Level >= LogLevel.Warning);
        if (McpSdkProbe.Current.Has(McpSdkFeatureKind.AspNetCoreHosting))
        {
            Assert.Equal("NoEndpointMapped", warning.Id.Name);
            Assert.Contains("call app.MapMcp(\"/mcp\")", warning.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("NoHttpHost", warning.Id.Name);
        }

        Assert.Contains("app.MapMcpCompat(\"/mcp\")", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(records, r => r.Id.Name is "NativePath" or "FallbackPath" or "StatelessPath" or "HostedPath");
    }

    [Fact]
    public async Task Startup_ResumableSessions_OneLineNamingWindowAndStore()
    {
        await using var host = await CompatTestHost.StartAsync(o => o.SessionResumeWindow = TimeSpan.FromHours(6), services: s => s.AddDistributedMemoryCache());

        var line = Assert.Single(host.Logs.GetSnapshot(), r => r.Id.Name == "ResumableSessions");
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Contains("for 06:00:00", line.Message, StringComparison.Ordinal);
        Assert.Contains("MemoryDistributedCache", line.Message, StringComparison.Ordinal);
        Assert.Contains("no session end channel", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Startup_SessionsDoNotResume_NoResumableLine()
    {
        await using var host = await CompatTestHost.StartAsync();

        Assert.DoesNotContain(host.Logs.GetSnapshot(), r => r.Id.Name == "ResumableSessions");
    }

    [Fact]
    public async Task Evictions_OneDebugLineEach_SummedUpAtInformationOncePerMinute()
    {
        await using var host = await CompatTestHost.StartAsync(o => o.SessionIdleTimeout = IdleTimeout);
        for (var i = 0; i < 3; i++)
        {
            await host.Client.InitializeAsync();
        }

        host.Time.Advance(IdleTimeout + TimeSpan.FromSeconds(1));
        await host.Sweeper.SweepOnceAsync();
        await host.Sweeper.Evictions;

        var records = host.Logs.GetSnapshot();
        Assert.Equal(3, records.Count(r => r.Id.Name == "SessionEvicted" && r.Level == LogLevel.Debug));
        Assert.DoesNotContain(records, r => r.Id.Name == "SessionsEnded");

        host.Time.Advance(EvictionReport.Interval - IdleTimeout);
        await host.Sweeper.SweepOnceAsync();
        host.Time.Advance(EvictionReport.Interval);
        await host.Sweeper.SweepOnceAsync();

        var summary = Assert.Single(host.Logs.GetSnapshot(), r => r.Id.Name == "SessionsEnded");
        Assert.Equal(LogLevel.Information, summary.Level);
        Assert.StartsWith("McpCompat ended 3 sessions in the last ", summary.Message, StringComparison.Ordinal);
        Assert.Contains("(idle_timeout 3)", summary.Message, StringComparison.Ordinal);
    }
}
