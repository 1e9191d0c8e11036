using System.Diagnostics.Metrics;
using System.Net;
using McpCompat.Sessions;
using McpCompat.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace McpCompat.Tests.Telemetry;

/// <summary>McpCompat's meter on <c>MapMcpCompat</c>: session gauges, ended sessions by reason, sweep duration, path.</summary>
[Collection(HostingTestTools.Collection)]
public sealed class MetricsTests
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    private static MetricCollector<T> Collect<T>(IServiceProvider services, string instrument)
        where T : struct =>
        new(services.GetRequiredService<IMeterFactory>(), McpCompatTelemetry.MeterName, instrument);

    private static long Sum(MetricCollector<long> collector, string reason) =>
        collector.GetMeasurementSnapshot().Where(m => Equals(m.Tags["mcpcompat.session.end_reason"], reason)).Sum(m => m.Value);

    [Fact]
    public async Task Gauges_FollowLiveAndIdleSessions()
    {
        await using var host = await CompatTestHost.StartAsync(o => o.SessionIdleTimeout = IdleTimeout);
        using var live = Collect<long>(host.App.Services, "mcpcompat.sessions.live");
        using var idle = Collect<long>(host.App.Services, "mcpcompat.sessions.idle");

        var first = await host.Client.InitializeAsync();
        await host.Client.InitializeAsync();
        using var stream = await host.Client.OpenGetStreamAsync(first);

        live.RecordObservableInstruments();
        idle.RecordObservableInstruments();
        Assert.Equal(2, live.LastMeasurement?.Value);
        Assert.Equal(1, idle.LastMeasurement?.Value);
        Assert.Equal("{session}", live.Instrument?.Unit);
    }

    [Fact]
    public async Task Ended_CountedByReason_AndSweepDurationRecorded()
    {
        await using var host = await CompatTestHost.StartAsync(o => o.SessionIdleTimeout = IdleTimeout);
        using var ended = Collect<long>(host.App.Services, "mcpcompat.sessions.ended");
        using var sweeps = Collect<double>(host.App.Services, "mcpcompat.sweep.duration");

        var deleted = await host.Client.InitializeAsync();
        await host.Client.InitializeAsync();
        await host.Client.InitializeAsync();
        Assert.Equal(HttpStatusCode.OK, await host.Client.DeleteAsync(deleted));

        // The hosted sweeper may get there first on the advanced clock; either way the sweep below returns after it.
        host.Time.Advance(IdleTimeout);
        await host.Sweeper.SweepOnceAsync();

        Assert.Equal(1, Sum(ended, "deleted"));
        Assert.Equal(2, Sum(ended, "idle_timeout"));
        Assert.Equal("{session}", ended.Instrument?.Unit);
        Assert.Equal("s", sweeps.Instrument?.Unit);

        // Durations are read on the application's clock, which stood still while every sweep ran.
        var durations = sweeps.GetMeasurementSnapshot();
        Assert.NotEmpty(durations);
        Assert.All(durations, m => Assert.Equal(0d, m.Value));
    }

    [Fact]
    public async Task SweepDuration_FromFindingToTheLastEviction_OnTheApplicationClock()
    {
        var time = new FakeTimeProvider();
        using var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(time)
            .AddMcpServer()
            .AddMcpCompat(o => o.SessionIdleTimeout = IdleTimeout)
            .Services
            .BuildServiceProvider();
        using var sweeps = Collect<double>(services, "mcpcompat.sweep.duration");
        var evictor = new HeldEvictor();
        services.GetRequiredService<SessionTracker>().Add(new TrackedSession("a", evictor, time.GetTimestamp(), inFlight: 0));

        time.Advance(IdleTimeout);
        var sweep = services.GetRequiredService<SessionSweeper>().SweepOnceAsync();
        await evictor.Started;
        time.Advance(TimeSpan.FromSeconds(2));
        evictor.Finish(ended: true);

        Assert.Equal(1, await sweep);
        Assert.Equal(2d, Assert.Single(sweeps.GetMeasurementSnapshot()).Value);
    }

    [Fact]
    public async Task Ended_MaxSessionsAndShutdown()
    {
        var host = await CompatTestHost.StartAsync(o => o.MaxSessions = 2);
        using var ended = Collect<long>(host.App.Services, "mcpcompat.sessions.ended");
        try
        {
            await host.Client.InitializeAsync();
            await host.Client.InitializeAsync();
            await host.Client.InitializeAsync();
            Assert.Equal(1, Sum(ended, "max_sessions"));
        }
        finally
        {
            await host.DisposeAsync();
        }

        Assert.Equal(2, Sum(ended, "shutdown"));
    }

    [Fact]
    public async Task Path_Hosted()
    {
        await using var host = await CompatTestHost.StartAsync();
        using var path = Collect<int>(host.App.Services, "mcpcompat.path");

        path.RecordObservableInstruments();

        var measurement = Assert.Single(path.GetMeasurementSnapshot());
        Assert.Equal("hosted", measurement.Tags["mcpcompat.path"]);
    }

    /// <summary>Ends a session when the test says so.</summary>
    private sealed class HeldEvictor : ISessionEvictor
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<bool> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public void Finish(bool ended) => _result.SetResult(ended);

        public Task<bool> EvictAsync(TrackedSession session, CancellationToken cancellationToken)
        {
            _started.TrySetResult();
            return _result.Task;
        }
    }
}
