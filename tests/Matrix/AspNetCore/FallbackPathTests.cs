using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json.Nodes;
using McpCompat.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.AspNetCore;

namespace McpCompat.Tests.AspNetCore;

/// <summary>
/// McpCompat's own tracker and sweeper in front of the SDK's MapMcp endpoint (Mode=Fallback), over real HTTP.
/// The hosted sweeper also ticks on the fake clock, so tests that advance time assert what is left, not which
/// sweep ended it; sweeps never overlap, so once <c>SweepOnceAsync</c> returns every due session is gone.
/// </summary>
public sealed class FallbackPathTests
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    private static Task<McpTestHost> StartAsync(int? maxIdle = null, Action<IServiceCollection>? services = null) => McpTestHost.StartAsync(
        o =>
        {
            o.Mode = McpCompatMode.Fallback;
            o.SessionIdleTimeout = IdleTimeout;
            o.MaxIdleSessions = maxIdle;
        },
        services: services);

    [Fact]
    public async Task Startup_LogsExactlyOneWarning_NamingSdkAndReason()
    {
        await using var host = await StartAsync();

        var warning = Assert.Single(host.Logs.GetSnapshot(), r => r.Level >= LogLevel.Warning);
        Assert.Contains("McpCompat's sweeper is in charge", warning.Message, StringComparison.Ordinal);
        Assert.Contains("ModelContextProtocol.AspNetCore", warning.Message, StringComparison.Ordinal);
        Assert.Contains("Mode is Fallback", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Startup_SdkOwnIdleHandlingSwitchedOff()
    {
        await using var host = await StartAsync();

        var sdk = host.App.Services.GetRequiredService<IOptions<HttpServerTransportOptions>>().Value;
        Assert.Equal(Timeout.InfiniteTimeSpan, sdk.IdleTimeout);
        Assert.Equal(int.MaxValue, sdk.MaxIdleSessionCount);
    }

    [Fact]
    public async Task IdleSessionPastTimeout_EvictedAndAnswers404()
    {
        await using var host = await StartAsync();
        var id = await host.Client.InitializeAsync();
        Assert.Equal(1, host.Tracker.Count);
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));

        host.Time.Advance(IdleTimeout);
        await host.Sweeper.SweepOnceAsync();

        var (status, message) = await host.Client.RequestAsync(id, "ping");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(-32001, (int?)message?["error"]?["code"]);
        Assert.Equal(0, host.Tracker.Count);
    }

    [Fact]
    public async Task HostedSweeper_OnItsOwnTimer_EvictsIdleSession()
    {
        // A sweep interval past the idle timeout: the sweeper's first wait, begun as the host started, ends just as the
        // session is due, and once.
        await using var host = await McpTestHost.StartAsync(o =>
        {
            o.Mode = McpCompatMode.Fallback;
            o.SessionIdleTimeout = IdleTimeout;
            o.SweepInterval = IdleTimeout + TimeSpan.FromSeconds(1);
        });
        using var ended = new MetricCollector<long>(host.App.Services.GetRequiredService<IMeterFactory>(), McpCompatTelemetry.MeterName, "mcpcompat.sessions.ended");
        var id = await host.Client.InitializeAsync();

        // No explicit sweep: the hosted sweeper's timer runs on the application's clock. Watched without requests: a ping
        // would be activity.
        var swept = SweeperService.Of(host.App.Services).NextSweep;
        host.Time.Advance(IdleTimeout + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await swept.WaitAsync(FakeClock.Bound));

        Assert.Equal("idle_timeout", Assert.Single(ended.GetMeasurementSnapshot()).Tags["mcpcompat.session.end_reason"]);
        Assert.Equal(0, host.Tracker.Count);
        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
    }

    [Fact]
    public async Task SessionThatKeepsTalking_Survives()
    {
        await using var host = await StartAsync();
        var id = await host.Client.InitializeAsync();

        for (var i = 0; i < 5; i++)
        {
            host.Time.Advance(IdleTimeout - TimeSpan.FromSeconds(1));
            Assert.Equal(0, await host.Sweeper.SweepOnceAsync());
            Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));
        }

        Assert.NotNull(host.Tracker.Find(id));
    }

    [Fact]
    public async Task ToolCallInFlightPastTimeout_SessionKeptAndCallCompletes()
    {
        await using var host = await StartAsync();
        var id = await host.Client.InitializeAsync();

        var call = host.Client.CallToolAsync(id, "wait");
        await host.Gate.Entered;
        host.Time.Advance(IdleTimeout * 3);
        Assert.Equal(0, await host.Sweeper.SweepOnceAsync());

        host.Gate.ReleaseAll();
        var (status, message) = await call;
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("released", (string?)message?["result"]?["content"]?[0]?["text"]);

        // Idle from the end of the call: kept until a full timeout after it.
        host.Time.Advance(IdleTimeout - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await host.Sweeper.SweepOnceAsync());
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));
    }

    [Fact]
    public async Task OpenGetStream_KeepsSessionActive_UntilClosed()
    {
        var gate = new RequestGate();
        await using var host = await StartAsync(services: gate.Register);
        var id = await host.Client.InitializeAsync();

        var stream = await host.Client.OpenGetStreamAsync(id);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        host.Time.Advance(IdleTimeout * 2);
        Assert.Equal(0, await host.Sweeper.SweepOnceAsync());

        // Closed by the client: the server notices on its own time, and counts the GET out before it leaves the pipeline.
        var closed = gate.EndedAsync(r => HttpMethods.IsGet(r.Method));
        stream.Dispose();
        await closed.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(0, host.Tracker.Find(id)!.InFlight);

        host.Time.Advance(IdleTimeout);
        await host.Sweeper.SweepOnceAsync();
        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
    }

    [Fact]
    public async Task ClientDelete_SessionForgotten()
    {
        await using var host = await StartAsync();
        var id = await host.Client.InitializeAsync();

        Assert.Equal(HttpStatusCode.OK, await host.Client.DeleteAsync(id));

        Assert.Equal(0, host.Tracker.Count);
        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
    }

    [Fact]
    public async Task MoreIdleThanMax_LongestIdleEndedFirst()
    {
        await using var host = await StartAsync(maxIdle: 2);
        var first = await host.Client.InitializeAsync();
        host.Time.Advance(TimeSpan.FromSeconds(1));
        var second = await host.Client.InitializeAsync();
        host.Time.Advance(TimeSpan.FromSeconds(1));
        var third = await host.Client.InitializeAsync();

        await host.Sweeper.SweepOnceAsync();

        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(first));
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(second));
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(third));
    }

    [Fact]
    public async Task RequestsRacingEvictions_AnswerOkOr404_NeverHangOr500_NothingHeldAfter()
    {
        var gate = new RequestGate();
        await using var host = await StartAsync(services: gate.Register);

        // One round of 500 per cell: every cell of the matrix runs it (thousands of racing requests per run of the matrix).
        var (ok, notFound) = await EvictionRace.RunRoundsAsync(
            new(host.App, host.Time, host.Client, gate, id => host.Tracker.Find(id) is not null, () => host.Tracker.Count), rounds: 1, perRound: 500);

        Assert.Equal(500, ok + notFound);
        Assert.True(ok > 0, "no request kept its session");
        Assert.True(notFound > 0, "no request met an ended session");
    }

    [Fact]
    public async Task SessionUnknownToMcpCompat_PassedToSdk()
    {
        await using var host = await StartAsync();

        var (status, message) = await host.Client.RequestAsync("not-a-session", "ping");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(-32001, (int?)message?["error"]?["code"]);
    }

    [Fact]
    public async Task ToolCallThatEchoes_WorksThroughTracking()
    {
        await using var host = await StartAsync();
        var id = await host.Client.InitializeAsync();

        var (status, message) = await host.Client.CallToolAsync(id, "echo", new JsonObject { ["message"] = "hi" });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("hi", (string?)message?["result"]?["content"]?[0]?["text"]);
        Assert.Equal(0, host.Tracker.Find(id)!.InFlight);
    }
}
