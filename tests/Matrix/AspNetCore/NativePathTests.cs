using System.Net;
using McpCompat.Decision;
using McpCompat.Probing;
using McpCompat.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.AspNetCore;

namespace McpCompat.Tests.AspNetCore;

/// <summary>The SDK's own idle timeout, configured by McpCompat (Mode=Auto on an SDK that has it).</summary>
public sealed class NativePathTests
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

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
            o.SessionIdleTimeout = IdleTimeout;
        });
        Assert.Equal(McpCompatPath.Native, host.App.Services.GetRequiredService<McpCompatRuntime>().Decision.Path);
        var id = await host.Client.InitializeAsync();
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));
        await host.Requests.NoneAsync();
        var idleSince = host.Time.GetUtcNow();

        // McpCompat tracks nothing on this path: the SDK's own sweeper ends the session.
        Assert.Equal(0, host.Tracker.Count);
        var endedAt = await AdvanceUntilTheSdkEndsAsync(host, id, IdleTimeout);

        Assert.True(endedAt - idleSince > IdleTimeout, $"ended after {endedAt - idleSince} idle");
    }

    [Fact]
    public async Task ActiveSession_KeptByTheSdk_ThenEvictedOnceIdlePastTimeout()
    {
        await using var host = await McpTestHost.StartAsync(o => o.SessionIdleTimeout = IdleTimeout);
        var active = await host.Client.InitializeAsync();
        var idle = await host.Client.InitializeAsync();
        var call = host.Client.CallToolAsync(active, "wait");
        await host.Gate.Entered;

        // Past the timeout with a request in flight: the sweep that ends the idle session beside it keeps this one.
        await AdvanceUntilTheSdkEndsAsync(host, idle, IdleTimeout);
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(active));
        host.Gate.ReleaseAll();
        var (status, message) = await call;
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("released", (string?)message?["result"]?["content"]?[0]?["text"]);
        await host.Requests.NoneAsync();

        // Idle from the end of its last request, the same session is ended once idle past the timeout.
        var idleSince = host.Time.GetUtcNow();
        var endedAt = await AdvanceUntilTheSdkEndsAsync(host, active, IdleTimeout);
        Assert.True(endedAt - idleSince > IdleTimeout, $"ended after {endedAt - idleSince} idle");
    }

    /// <summary>
    /// Moves the application's clock past the timeout by one look of the SDK's own sweeper, and returns when the SDK logged
    /// that it closes the session. The SDK logs that just before it drops the session, so its 404 is then awaited,
    /// bounded: a request can no longer keep the session.
    /// </summary>
    private static async Task<DateTimeOffset> AdvanceUntilTheSdkEndsAsync(McpTestHost host, string id, TimeSpan idleTimeout)
    {
        var record = await host.AdvancePastTheSdksSweepAsync(id, idleTimeout);

        // Polls: the SDK's own sweeper drops the session after its log record and signals nothing when it has.
        var status = await Support.Eventually.WaitForAsync(() => host.Client.PingAsync(id), s => s == HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, status);
        return record.Timestamp;
    }
}
