using System.Net;
using McpCompat.Probing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.AspNetCore;

namespace McpCompat.Tests.AspNetCore;

/// <summary>The SDK's own idle timeout, configured by McpCompat (Mode=Auto on an SDK that has it).</summary>
public sealed class NativePathTests
{
    [Fact]
    public async Task Settings_AppliedToSdkOptions_ReadBack()
    {
        await using var host = await McpTestHost.StartAsync(o =>
        {
            o.SessionIdleTimeout = TimeSpan.FromSeconds(45);
            o.MaxIdleSessions = 77;
        });

        var sdk = host.App.Services.GetRequiredService<IOptions<HttpServerTransportOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(45), sdk.IdleTimeout);
        Assert.Equal(77, sdk.MaxIdleSessionCount);
        Assert.Same(host.Time, sdk.TimeProvider);
        var decision = host.App.Services.GetRequiredService<McpCompatRuntime>().Decision;
        Assert.Equal(McpCompatPath.Native, decision.Path);
        // The decision applied to the SDK's options is the one the application sees.
        Assert.Same(decision, host.App.Services.GetRequiredService<McpCompatDecision>());
    }

    [Fact]
    public async Task UnsetSettings_NotForwarded_SdkKeepsItsDefaults()
    {
        await using var host = await McpTestHost.StartAsync(transport: o => o.IdleTimeout = TimeSpan.FromMinutes(7));

        var sdk = host.App.Services.GetRequiredService<IOptions<HttpServerTransportOptions>>().Value;
        Assert.Equal(TimeSpan.FromMinutes(7), sdk.IdleTimeout);
        Assert.Equal(new HttpServerTransportOptions().MaxIdleSessionCount, sdk.MaxIdleSessionCount);
    }

    [Fact]
    public async Task SdkTimeProviderSetByUser_Kept()
    {
        var own = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        await using var host = await McpTestHost.StartAsync(transport: o => o.TimeProvider = own);

        Assert.Same(own, host.App.Services.GetRequiredService<IOptions<HttpServerTransportOptions>>().Value.TimeProvider);
    }

    [Fact]
    public async Task Startup_LogsNativePath_NoWarning()
    {
        await using var host = await McpTestHost.StartAsync(o => o.SessionIdleTimeout = TimeSpan.FromSeconds(30));

        var records = host.Logs.GetSnapshot();
        Assert.DoesNotContain(records, r => r.Level >= LogLevel.Warning);
        var line = Assert.Single(records, r => r.Id.Name == "NativePath");
        Assert.Contains("IdleTimeout 00:00:30", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Startup_StatefulServer_StatelessByDefaultAdvisoryOnlyAtDebug()
    {
        await using var host = await McpTestHost.StartAsync(o => o.SessionIdleTimeout = TimeSpan.FromSeconds(30));

        var records = host.Logs.GetSnapshot();
        var advised = McpSdkProbe.Current.Advisories.Any(a => a.Id == "MCPCOMPAT003");
        Assert.DoesNotContain(records, r => r.Id.Name == "Advisory" && r.Message.Contains("MCPCOMPAT003", StringComparison.Ordinal));
        Assert.Equal(advised ? 1 : 0, records.Count(r => r.Id.Name == "AdvisoryNotInEffect" && r.Level == LogLevel.Debug && r.Message.Contains("MCPCOMPAT003", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(McpCompatMode.Auto)]
    [InlineData(McpCompatMode.Native)]
    public async Task IdleSession_EvictedByTheSdkItself(McpCompatMode mode)
    {
        await using var host = await McpTestHost.StartAsync(o =>
        {
            o.Mode = mode;
            o.SessionIdleTimeout = TimeSpan.FromSeconds(30);
        });
        Assert.Equal(McpCompatPath.Native, host.App.Services.GetRequiredService<McpCompatRuntime>().Decision.Path);
        var id = await host.Client.InitializeAsync();
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));

        // McpCompat tracks nothing on this path: the SDK's own sweeper (every 5 s on the app's clock) ends the session.
        Assert.Equal(0, host.Tracker.Count);
        host.Time.Advance(TimeSpan.FromSeconds(36));

        var status = await Support.Eventually.WaitForAsync(() => host.Client.PingAsync(id), s => s == HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task ActiveSession_KeptByTheSdk()
    {
        await using var host = await McpTestHost.StartAsync(o => o.SessionIdleTimeout = TimeSpan.FromSeconds(30));
        var id = await host.Client.InitializeAsync();

        for (var i = 0; i < 4; i++)
        {
            host.Time.Advance(TimeSpan.FromSeconds(20));
            Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));
        }
    }
}
