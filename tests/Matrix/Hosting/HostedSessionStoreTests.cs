using McpCompat.MapMcpCompat;
using McpCompat.Resumption;
using McpCompat.Sessions;
using McpCompat.Telemetry;
using McpCompat.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace McpCompat.Tests.Hosting;

/// <summary>Ending hosted sessions whose transport or server misbehaves on disposal: logged, bounded, nothing else held up.</summary>
public sealed class HostedSessionStoreTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly SessionTracker _tracker = new();
    private readonly FakeLogger<HostedSessionStore> _logger = new();
    private readonly ServiceProvider _services;
    private readonly HostedSessionStore _store;

    public HostedSessionStoreTests()
    {
        _services = CompatServices.Create(_time);
        _store = new HostedSessionStore(_tracker, _time, _logger, _services.GetRequiredService<McpCompatMetrics>(), _services.GetRequiredService<SessionResumption>());
    }

    public void Dispose() => _services.Dispose();

    private HostedSession Host(string id, FakeDisposable transport, FakeDisposable server)
    {
        var tracked = new TrackedSession(id, _store, _time.GetTimestamp(), inFlight: 0);
        var session = new HostedSession(id, transport, server, user: null, tracked, new CancellationTokenSource());
        _store.Add(session);
        return session;
    }

    [Fact]
    public async Task End_ServerDisposalThrows_SessionGoneAndLogged()
    {
        var transport = new FakeDisposable();
        var session = Host("a", transport, new FakeDisposable { Throw = true });

        Assert.True(await _store.EndAsync("a"));

        Assert.True(transport.Disposed);
        Assert.Null(_store.Find("a"));
        Assert.True(session.Tracked.IsGone);
        var entry = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Name == "HostedSessionDisposeFailed");
        Assert.IsType<InvalidOperationException>(entry.Exception);
    }

    [Fact]
    public async Task End_DisposalHangs_ReturnsAfterTheWaitAndLogs()
    {
        var hang = new TaskCompletionSource();
        Host("a", new FakeDisposable { Hang = hang.Task }, new FakeDisposable());

        var end = _store.EndAsync("a");
        Assert.Null(_store.Find("a"));
        Assert.False(end.IsCompleted);

        // Bounded: the disposal never ends, yet EndAsync returns once the clock has moved past the wait (begun as it
        // started the disposal).
        _time.Advance(HostedSessionStore.DisposeWait - TimeSpan.FromMilliseconds(1));
        Assert.False(end.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await end.WaitAsync(FakeClock.Bound));
        var entry = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Name == "HostedSessionDisposeFailed");
        Assert.IsType<TimeoutException>(entry.Exception);
        hang.SetResult();
    }

    [Fact]
    public async Task EndAll_OneHangs_OthersEndedAndAllBounded()
    {
        var hang = new TaskCompletionSource();
        var hangingServer = new FakeDisposable { Hang = hang.Task };
        Host("hanging", new FakeDisposable(), hangingServer);
        var others = Enumerable.Range(0, 5).Select(i => new FakeDisposable()).ToArray();
        for (var i = 0; i < others.Length; i++)
        {
            Host($"s{i}", others[i], new FakeDisposable());
        }

        var endAll = _store.EndAllAsync();
        await Task.WhenAll(others.Select(o => o.DisposeStarted)).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(endAll.IsCompleted);

        _time.Advance(HostedSessionStore.DisposeWait);
        await endAll.WaitAsync(FakeClock.Bound);
        Assert.Equal(0, _store.Count);
        Assert.Equal(0, _tracker.Count);
        hang.SetResult();
    }

    [Fact]
    public async Task Sweep_OneDisposalHangs_OtherIdleSessionsEnded()
    {
        var hang = new TaskCompletionSource();
        Host("hanging", new FakeDisposable { Hang = hang.Task }, new FakeDisposable());
        var other = new FakeDisposable();
        Host("other", other, new FakeDisposable());
        using var sweeper = new SessionSweeper(
            _tracker,
            MsOptions.Create(new McpCompatOptions { SessionIdleTimeout = TimeSpan.FromSeconds(30) }),
            _time,
            NullLogger<SessionSweeper>.Instance,
            _services.GetRequiredService<McpCompatMetrics>(),
            new EvictionReport(_services.GetRequiredService<McpCompatMetrics>(), _time, NullLogger<SessionSweeper>.Instance));

        _time.Advance(TimeSpan.FromSeconds(30));
        var sweep = sweeper.SweepOnceAsync();
        await other.DisposeStarted.WaitAsync(TimeSpan.FromSeconds(30));

        // The sweep returns although one disposal never ends (the hosted session's 5 s bound, when its eviction had
        // begun its wait as the clock moved, or the sweep's own 10 s one, begun as the sweep started).
        _time.Advance(SessionSweeper.EvictionWait);
        var ended = await sweep.WaitAsync(FakeClock.Bound);

        // The sweep counts what ended within its bound, and the other session's end can land just after the clock
        // passes it on a busy machine: its server is disposed and both are out of the store either way.
        Assert.InRange(ended, 0, 2);
        Assert.True(other.Disposed);
        Assert.Equal(0, _store.Count);
        hang.SetResult();
    }

    private sealed class FakeDisposable : IAsyncDisposable
    {
        public bool Throw { get; init; }

        public Task? Hang { get; init; }

        private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Disposed => _disposed.Task.IsCompleted;

        /// <summary>Gets a task that completes when disposal starts.</summary>
        public Task DisposeStarted => _disposed.Task;

        public async ValueTask DisposeAsync()
        {
            _disposed.TrySetResult();
            if (Hang is not null)
            {
                await Hang;
            }

            if (Throw)
            {
                throw new InvalidOperationException("disposal failed");
            }
        }
    }
}
