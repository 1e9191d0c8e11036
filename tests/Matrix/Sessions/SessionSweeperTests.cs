using McpCompat.Sessions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace McpCompat.Tests.Sessions;

public sealed class SessionSweeperTests
{
    private static readonly TimeSpan Timeout30 = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new();
    private readonly SessionTracker _tracker = new();
    private readonly RecordingEvictor _evictor = new();

    private SessionSweeper CreateSweeper(TimeSpan? idleTimeout = null, int? maxIdle = null) =>
        new(_tracker, MsOptions.Create(new McpCompatOptions { SessionIdleTimeout = idleTimeout ?? Timeout30, MaxIdleSessions = maxIdle }), _time, NullLogger<SessionSweeper>.Instance);

    private TrackedSession Track(string id, int inFlight = 0)
    {
        var session = new TrackedSession(id, _evictor, creator: null, origin: null, _time.GetTimestamp(), inFlight);
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

        Assert.Equal(["oldest", "middle"], _evictor.Evicted);
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

        _evictor.Refuse = false;
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
    public void TryBeginEviction_ActivitySinceObservation_Refused()
    {
        var session = Track("a");
        var observed = session.LastActivity;
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(session.TryEnter());
        session.Exit(_time.GetTimestamp());

        Assert.False(session.TryBeginEviction(observed));
        Assert.True(session.TryBeginEviction(session.LastActivity));
    }

    private sealed class RecordingEvictor : ISessionEvictor
    {
        public List<string> Evicted { get; } = [];

        public bool Refuse { get; set; }

        public string? ThrowFor { get; set; }

        public Action<TrackedSession>? OnEvict { get; set; }

        public Task<bool> EvictAsync(TrackedSession session, CancellationToken cancellationToken)
        {
            OnEvict?.Invoke(session);
            if (session.Id == ThrowFor)
            {
                throw new InvalidOperationException("disposal failed");
            }

            if (Refuse)
            {
                return Task.FromResult(false);
            }

            Evicted.Add(session.Id);
            return Task.FromResult(true);
        }
    }
}
