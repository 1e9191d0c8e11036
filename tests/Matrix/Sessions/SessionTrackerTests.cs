using McpCompat.Sessions;
using McpCompat.Tests.Support;

namespace McpCompat.Tests.Sessions;

[Trait(SdkIndependent.Trait, SdkIndependent.Value)]
public sealed class SessionTrackerTests
{
    private readonly SessionTracker _tracker = new();
    private readonly NoEvictor _evictor = new();

    private TrackedSession Track(string id, long timestamp, int inFlight = 0)
    {
        var session = new TrackedSession(id, _evictor, timestamp, inFlight);
        _tracker.Add(session);
        return session;
    }

    private List<string> ClaimAll()
    {
        var claims = new List<SessionClaim>();
        _tracker.ClaimDue(long.MaxValue, int.MaxValue, claims);
        return claims.ConvertAll(c => c.Session.Id);
    }

    [Fact]
    public void ClaimDue_TakesOnlyWhatIsDue_OldestFirst()
    {
        Track("t10", 10);
        Track("t20", 20);
        Track("t30", 30);
        Track("busy", 5, inFlight: 1);

        var claims = new List<SessionClaim>();
        Assert.Equal(0, _tracker.ClaimDue(20, int.MaxValue, claims));

        Assert.Equal(["t10", "t20"], claims.ConvertAll(c => c.Session.Id));
        Assert.Equal([10L, 20L], claims.ConvertAll(c => c.IdleSince));
        Assert.Equal(1, _tracker.IdleCount);
        Assert.All(claims, c => Assert.False(c.Session.TryEnter()));
    }

    [Fact]
    public void ClaimDue_OverTheIdleLimit_TakesTheOldestAndCountsThem()
    {
        Track("t10", 10);
        Track("t20", 20);
        Track("t30", 30);

        var claims = new List<SessionClaim>();
        Assert.Equal(2, _tracker.ClaimDue(dueBefore: null, maxIdle: 1, claims));
        Assert.Equal(["t10", "t20"], claims.ConvertAll(c => c.Session.Id));
    }

    [Fact]
    public void Exit_OlderTimestampThanNewestIdle_KeepsTheListInOrder()
    {
        var late = Track("late", 0, inFlight: 1);
        Track("t20", 20);
        Track("t30", 30);

        // A request that ended at 25 but was counted out after the session idle since 30.
        late.Exit(25);

        Assert.Equal(["t20", "late", "t30"], ClaimAll());
    }

    [Fact]
    public void TryEnter_RemovesFromIdle_ExitPutsItBackAtTheEnd()
    {
        var a = Track("a", 10);
        Track("b", 20);

        Assert.True(a.TryEnter());
        Assert.Equal(1, _tracker.IdleCount);
        Assert.True(a.TryEnter());
        a.Exit(30);
        Assert.Equal(1, _tracker.IdleCount);
        a.Exit(40);

        Assert.Equal(2, _tracker.IdleCount);
        Assert.Equal(["b", "a"], ClaimAll());
    }

    [Fact]
    public void ClaimOldestIdle_SkipsSessionsTheFilterRejects()
    {
        Track("other", 10);
        Track("mine", 20);

        var claim = _tracker.ClaimOldestIdle(s => s.Id == "mine");

        Assert.Equal("mine", claim?.Session.Id);
        Assert.Null(_tracker.ClaimOldestIdle(s => s.Id == "mine"));
        Assert.Equal(1, _tracker.IdleCount);
    }

    [Fact]
    public void ReleaseClaim_SessionLiveAndIdleFromTheGivenTime()
    {
        var a = Track("a", 10);
        Track("b", 20);
        var claim = _tracker.ClaimOldestIdle(_ => true);
        Assert.Same(a, claim?.Session);

        _tracker.ReleaseClaim(a, 50);

        Assert.True(a.IsLive);
        Assert.Equal(50, a.LastActivity);
        Assert.Equal(["b", "a"], ClaimAll());
    }

    [Fact]
    public void Remove_ClaimedOrIdle_GoneAndCountsDrop()
    {
        var a = Track("a", 10);
        var b = Track("b", 20);
        _tracker.ClaimOldestIdle(_ => true);

        Assert.True(_tracker.Remove(a));
        Assert.True(_tracker.Remove(b));
        Assert.False(_tracker.Remove(b));

        Assert.True(a.IsGone);
        Assert.True(b.IsGone);
        Assert.Equal(0, _tracker.Count);
        Assert.Equal(0, _tracker.IdleCount);
        Assert.Null(_tracker.OldestIdleTimestamp);
    }

    [Fact]
    public void Add_SameIdAgain_ReplacesTheOlderRecord()
    {
        var first = Track("a", 10);
        var second = Track("a", 20);

        Assert.True(first.IsGone);
        Assert.Same(second, _tracker.Find("a"));
        Assert.Equal(1, _tracker.IdleCount);
        Assert.Equal(20, _tracker.OldestIdleTimestamp);
    }

    [Fact]
    public void Exit_MoreThanEntered_NeverNegative()
    {
        var a = Track("a", 10);
        a.Exit(20);
        a.Exit(30);

        Assert.Equal(0, a.InFlight);
        Assert.Equal(10, a.LastActivity);
        Assert.Equal(1, _tracker.IdleCount);
    }

    [Fact]
    public void TryEnter_NotTracked_Throws()
    {
        var loose = new TrackedSession("loose", _evictor, 0, 0);
        var ex = Assert.Throws<InvalidOperationException>(() => loose.TryEnter());
        Assert.Contains("loose", ex.Message, StringComparison.Ordinal);
    }

    private sealed class NoEvictor : ISessionEvictor
    {
        public Task<bool> EvictAsync(TrackedSession session, CancellationToken cancellationToken) => Task.FromResult(false);
    }
}
