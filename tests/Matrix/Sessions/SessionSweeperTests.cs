using System.Collections.Concurrent;
using McpCompat.Sessions;
using McpCompat.Telemetry;
using McpCompat.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace McpCompat.Tests.Sessions;

[Trait(SdkIndependent.Trait, SdkIndependent.Value)]
public sealed class SessionSweeperTests : IDisposable
{
    private static readonly TimeSpan Timeout30 = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new();
    private readonly SessionTracker _tracker = new();
    private readonly RecordingEvictor _evictor;
    private readonly FakeLogCollector _logs = new();

    private readonly ServiceProvider _services;

    public SessionSweeperTests()
    {
        _evictor = new RecordingEvictor(_tracker);
        _services = CompatServices.Create(_time);
    }

    public void Dispose() => _services.Dispose();

    private SessionSweeper CreateSweeper(TimeSpan? idleTimeout = null, int? maxIdle = null)
    {
        var logger = new FakeLogger<SessionSweeper>(_logs);
        var metrics = _services.GetRequiredService<McpCompatMetrics>();
        var settings = MsOptions.Create(new McpCompatOptions { SessionIdleTimeout = idleTimeout ?? Timeout30, MaxIdleSessions = maxIdle });
        return new(_tracker, settings, _time, logger, metrics, new EvictionReport(metrics, _time, logger));
    }

    private TrackedSession Track(string id, int inFlight = 0)
    {
        var session = new TrackedSession(id, _evictor, _time.GetTimestamp(), inFlight);
        _tracker.Add(session);
        return session;
    }

    [Fact]
    public async Task SweepOnce_SessionIdlePastTimeout_Evicts()
    {
        var session = Track("a");
        var sweeper = CreateSweeper();

        _time.Advance(Timeout30);
        var ended = await sweeper.SweepOnceAsync();

        Assert.Equal(1, ended);
        Assert.Equal(["a"], _evictor.Evicted);
        Assert.Equal(0, _tracker.Count);
        Assert.True(session.IsGone);
    }

    [Fact]
    public async Task SweepOnce_SessionIdleJustUnderTimeout_Kept()
    {
        Track("a");
        var sweeper = CreateSweeper();

        _time.Advance(Timeout30 - TimeSpan.FromTicks(1));
        Assert.Equal(0, await sweeper.SweepOnceAsync());
        Assert.Empty(_evictor.Evicted);
        Assert.Equal(1, _tracker.Count);
    }

    [Fact]
    public async Task SweepOnce_RequestInFlightPastTimeout_NeverEvicted()
    {
        var session = Track("a", inFlight: 1);
        var sweeper = CreateSweeper();

        _time.Advance(Timeout30 * 10);
        Assert.Equal(0, await sweeper.SweepOnceAsync());
        Assert.Empty(_evictor.Evicted);

        // Idle from the end of the request, not from its start.
        session.Exit(_time.GetTimestamp());
        _time.Advance(Timeout30 - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await sweeper.SweepOnceAsync());
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await sweeper.SweepOnceAsync());
    }

    [Fact]
    public async Task SweepOnce_ActivityResetsIdleClock()
    {
        var session = Track("a");
        var sweeper = CreateSweeper();

        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.True(session.TryEnter());
        session.Exit(_time.GetTimestamp());
        _time.Advance(TimeSpan.FromSeconds(20));

        Assert.Equal(0, await sweeper.SweepOnceAsync());
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, await sweeper.SweepOnceAsync());
    }

    [Fact]
    public async Task SweepOnce_MoreIdleThanMax_LongestIdleEvictedFirst()
    {
        Track("oldest");
        _time.Advance(TimeSpan.FromSeconds(1));
        Track("middle");
        _time.Advance(TimeSpan.FromSeconds(1));
        Track("newest");
        Track("busy", inFlight: 1);
        var sweeper = CreateSweeper(maxIdle: 1);

        Assert.Equal(2, await sweeper.SweepOnceAsync());

        Assert.Equal(["middle", "oldest"], _evictor.Evicted.Order(StringComparer.Ordinal));
        Assert.NotNull(_tracker.Find("newest"));
        Assert.NotNull(_tracker.Find("busy"));
    }

    [Fact]
    public async Task SweepOnce_InfiniteTimeout_NeverEvictsForIdleness()
    {
        Track("a");
        var sweeper = CreateSweeper(idleTimeout: Timeout.InfiniteTimeSpan);

        _time.Advance(TimeSpan.FromDays(365));
        Assert.Equal(0, await sweeper.SweepOnceAsync());
    }

    [Fact]
    public async Task SweepOnce_EvictorRefuses_SessionStaysTrackedAndLive()
    {
        var session = Track("a");
        _evictor.Refuse = true;
        var sweeper = CreateSweeper();

        _time.Advance(Timeout30);
        Assert.Equal(0, await sweeper.SweepOnceAsync());
        Assert.Equal(1, _tracker.Count);
        Assert.True(session.IsLive);
        Assert.Equal(1, _tracker.IdleCount);

        // Tried again one idle timeout later, not at every sweep.
        _evictor.Refuse = false;
        Assert.Equal(0, await sweeper.SweepOnceAsync());
        _time.Advance(Timeout30);
        Assert.Equal(1, await sweeper.SweepOnceAsync());
    }

    [Fact]
    public async Task SweepOnce_EvictorThrows_OtherSessionsStillEvicted()
    {
        Track("bad");
        Track("good");
        _evictor.ThrowFor = "bad";
        var sweeper = CreateSweeper();

        _time.Advance(Timeout30);
        Assert.Equal(1, await sweeper.SweepOnceAsync());
        Assert.Contains("good", _evictor.Evicted);
        Assert.NotNull(_tracker.Find("bad"));
    }

    [Fact]
    public async Task SweepOnce_RequestArrivesDuringEviction_RefusedAndSessionGone()
    {
        var session = Track("a");
        var sweeper = CreateSweeper();
        bool? enteredDuringEviction = null;
        _evictor.OnEvict = s => enteredDuringEviction = s.TryEnter();

        _time.Advance(Timeout30);
        Assert.Equal(1, await sweeper.SweepOnceAsync());

        Assert.False(enteredDuringEviction);
        Assert.False(session.TryEnter());
    }

    [Fact]
    public async Task SweepOnce_EvictionHangs_OthersEndAndSweepReturnsAfterTheWait()
    {
        var hanging = Track("hanging");
        Track("a");
        Track("b");
        var release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _evictor.HangFor = ("hanging", release.Task);
        var sweeper = CreateSweeper();

        _time.Advance(Timeout30);
        var sweep = sweeper.SweepOnceAsync();
        await Task.WhenAll(_evictor.EvictedAsync("a"), _evictor.EvictedAsync("b"));
        Assert.False(sweep.IsCompleted);

        // The sweep's own wait began as it started its evictions: once the clock has moved past it, the sweep returns.
        _time.Advance(SessionSweeper.EvictionWait);
        Assert.Equal(2, await sweep.WaitAsync(FakeClock.Bound));

        // The hanging session refuses requests meanwhile and is not claimed twice.
        Assert.False(hanging.TryEnter());
        Assert.Equal(0, await sweeper.SweepOnceAsync());

        // When its eviction finally ends, the session is forgotten (and that is logged, after the tracker let go of it).
        release.SetResult(true);
        await _logs.WaitForAsync(r => r.Id.Name == "SessionEvicted" && r.Message.Contains("hanging", StringComparison.Ordinal));
        Assert.True(hanging.IsGone);
        Assert.Equal(0, _tracker.Count);
    }

    [Fact]
    public async Task SweepOnce_EvictorRefusesAfterHanging_SessionLiveAgain()
    {
        var session = Track("slow");
        var release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _evictor.HangFor = ("slow", release.Task);
        var sweeper = CreateSweeper();

        _time.Advance(Timeout30);
        var sweep = sweeper.SweepOnceAsync();
        await _evictor.StartedAsync("slow");
        _time.Advance(SessionSweeper.EvictionWait);
        Assert.Equal(0, await sweep.WaitAsync(FakeClock.Bound));
        Assert.False(session.IsLive);

        // The eviction the sweep no longer waits for gives up: the session is live again once it has.
        release.SetResult(false);
        await sweeper.Evictions.WaitAsync(FakeClock.Bound);
        Assert.True(session.IsLive);
        Assert.True(session.TryEnter());
    }

    [Fact]
    public async Task SweepOnce_EvictorBlocksItsThread_OthersStillEnd()
    {
        Track("blocking");
        Track("a");
        using var unblock = new ManualResetEventSlim();
        _evictor.BlockFor = ("blocking", unblock);
        var sweeper = CreateSweeper();

        _time.Advance(Timeout30);
        var sweep = sweeper.SweepOnceAsync();
        await _evictor.EvictedAsync("a");
        _time.Advance(SessionSweeper.EvictionWait);
        Assert.Equal(1, await sweep.WaitAsync(FakeClock.Bound));
        unblock.Set();
    }

    [Fact]
    public async Task SweepOnce_Cancelled_ClaimedSessionsReturnToService()
    {
        var session = Track("a");
        var release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _evictor.HangFor = ("a", release.Task);
        _evictor.HonourCancellation = true;
        var sweeper = CreateSweeper();
        using var cts = new CancellationTokenSource();

        _time.Advance(Timeout30);
        var sweep = sweeper.SweepOnceAsync(cts.Token);
        await _evictor.StartedAsync("a");
        await cts.CancelAsync();

        // The sweep ends cancelled at once; the eviction gives up on its own, and the session is live again once it has.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sweep.WaitAsync(FakeClock.Bound));
        await sweeper.Evictions.WaitAsync(FakeClock.Bound);
        Assert.True(session.IsLive);
    }

    [Fact]
    public void NextDelay_FollowsTheLongestIdleSession()
    {
        var sweeper = CreateSweeper();
        var longest = TimeSpan.FromSeconds(1);
        Assert.Equal(longest, sweeper.NextDelay(longest));

        Track("a");
        Assert.Equal(longest, sweeper.NextDelay(longest));
        _time.Advance(Timeout30 - TimeSpan.FromMilliseconds(250));
        Assert.Equal(TimeSpan.FromMilliseconds(250), sweeper.NextDelay(longest));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromMilliseconds(1), sweeper.NextDelay(longest));
    }

    [Fact]
    public void NextDelay_InfiniteTimeout_Longest()
    {
        Track("a");
        var sweeper = CreateSweeper(idleTimeout: Timeout.InfiniteTimeSpan);
        _time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(TimeSpan.FromSeconds(3), sweeper.NextDelay(TimeSpan.FromSeconds(3)));
    }

    [Theory]
    [InlineData(1_000_000_000L)]
    [InlineData(10_000_000L)]
    [InlineData(1_000L)]
    public void ToTimestampUnits_IsExact(long frequency)
    {
        var duration = TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1);
        var expected = (long)((System.Numerics.BigInteger)duration.Ticks * frequency / TimeSpan.TicksPerSecond);
        Assert.Equal(expected, SessionSweeper.ToTimestampUnits(duration, frequency));
        Assert.Equal(frequency * 49 * 86_400, SessionSweeper.ToTimestampUnits(TimeSpan.FromDays(49), frequency));
    }

    /// <summary>Ends sessions as a host does: what it ends, it removes from the tracker.</summary>
    private sealed class RecordingEvictor(SessionTracker tracker) : ISessionEvictor
    {
        private readonly ConcurrentQueue<string> _evicted = new();
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _startedSignals = new();
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _evictedSignals = new();

        public IReadOnlyCollection<string> Evicted => _evicted.ToArray();

        public bool Refuse { get; set; }

        public string? ThrowFor { get; set; }

        public (string Id, Task<bool> Result)? HangFor { get; set; }

        public (string Id, ManualResetEventSlim Gate)? BlockFor { get; set; }

        public bool HonourCancellation { get; set; }

        public Action<TrackedSession>? OnEvict { get; set; }

        /// <summary>Completes when the sweeper has asked to end the session.</summary>
        public Task StartedAsync(string id) => Signal(_startedSignals, id).Task;

        /// <summary>Completes when the session's eviction went through (the sweeper may not have noted it yet).</summary>
        public Task EvictedAsync(string id) => Signal(_evictedSignals, id).Task;

        private static TaskCompletionSource Signal(ConcurrentDictionary<string, TaskCompletionSource> signals, string id) =>
            signals.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        private void RecordEvicted(string id)
        {
            _evicted.Enqueue(id);
            Signal(_evictedSignals, id).TrySetResult();
        }

        public async Task<bool> EvictAsync(TrackedSession session, CancellationToken cancellationToken)
        {
            Signal(_startedSignals, session.Id).TrySetResult();
            OnEvict?.Invoke(session);
            if (session.Id == ThrowFor)
            {
                throw new InvalidOperationException("disposal failed");
            }

            if (BlockFor is { } block && block.Id == session.Id)
            {
                block.Gate.Wait(TimeSpan.FromSeconds(30), CancellationToken.None);
            }

            if (HangFor is { } hang && hang.Id == session.Id)
            {
                var ended = HonourCancellation ? await hang.Result.WaitAsync(cancellationToken) : await hang.Result;
                return ended && End(session);
            }

            if (Refuse)
            {
                return false;
            }

            return End(session);
        }

        // An evictor that ends a session removes it from the tracker itself; the signal comes after.
        private bool End(TrackedSession session)
        {
            tracker.Remove(session);
            RecordEvicted(session.Id);
            return true;
        }
    }
}
