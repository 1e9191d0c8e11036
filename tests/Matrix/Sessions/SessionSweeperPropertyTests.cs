using System.Collections.Concurrent;
using FsCheck.Fluent;
using FsCheck;
using McpCompat.Sessions;
using McpCompat.Telemetry;
using McpCompat.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace McpCompat.Tests.Sessions;

/// <summary>
/// The tracker and the sweeper against a model, over random schedules of session starts, requests in and out,
/// sweeps, clock advances and evictors that refuse: the promises hold after every step.
/// </summary>
[Trait(SdkIndependent.Trait, SdkIndependent.Value)]
public sealed class SessionSweeperPropertyTests
{
    // The sweeps' metrics, real ones, shared by every run: nothing here reads them.
    private static readonly McpCompatMetrics Metrics = CompatServices.Create(new FakeTimeProvider()).GetRequiredService<McpCompatMetrics>();

    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    private enum Step
    {
        StartIdle,
        StartBusy,
        Enter,
        Exit,
        Advance,
        Sweep,
        ToggleRefusal,
    }

    private static Arbitrary<Schedule> Schedules()
    {
        var step = from kind in Gen.Frequency(
                       (3, Gen.Constant(Step.StartIdle)),
                       (2, Gen.Constant(Step.StartBusy)),
                       (4, Gen.Constant(Step.Enter)),
                       (4, Gen.Constant(Step.Exit)),
                       (4, Gen.Constant(Step.Advance)),
                       (3, Gen.Constant(Step.Sweep)),
                       (1, Gen.Constant(Step.ToggleRefusal)))
                   from target in Gen.Choose(0, 1000)
                   from amount in Gen.Choose(0, 45_000)
                   select new Action(kind, target, amount);
        var schedule = from maxIdle in Gen.Choose(1, 6)
                       from steps in Gen.ArrayOf(step)
                       select new Schedule(maxIdle, steps);
        return Arb.From(schedule);
    }

    // 100 random schedules per cell, each cell with its own seed: the matrix runs every cell (thousands per run of it).
    [Fact]
    public void RandomSchedules_PromisesHoldAfterEveryStep() =>
        Prop.ForAll(Schedules(), Run).Check(Config.QuickThrowOnFailure.WithMaxTest(100).WithEndSize(80));

    private static bool Run(Schedule schedule)
    {
        var time = new FakeTimeProvider();
        var tracker = new SessionTracker();
        var evictor = new CheckingEvictor(tracker);
        using var sweeper = new SessionSweeper(
            tracker,
            MsOptions.Create(new McpCompatOptions { SessionIdleTimeout = IdleTimeout, MaxIdleSessions = schedule.MaxIdle }),
            time,
            NullLogger<SessionSweeper>.Instance,
            Metrics,
            new EvictionReport(Metrics, time, NullLogger<SessionSweeper>.Instance));
        var model = new List<ModelSession>();

        foreach (var action in schedule.Actions)
        {
            switch (action.Kind)
            {
                case Step.StartIdle or Step.StartBusy:
                    var busy = action.Kind == Step.StartBusy ? 1 : 0;
                    var session = new TrackedSession($"s{model.Count}", evictor, time.GetTimestamp(), busy);
                    tracker.Add(session);
                    model.Add(new ModelSession(session) { InFlight = busy, IdleSince = time.GetTimestamp() });
                    break;

                case Step.Enter when model.Count > 0:
                    var entering = model[action.Target % model.Count];
                    var entered = entering.Session.TryEnter();
                    Assert.Equal(!entering.Gone, entered);
                    if (entered)
                    {
                        entering.InFlight++;
                    }

                    break;

                case Step.Exit when model.Count > 0:
                    var leaving = model[action.Target % model.Count];
                    if (leaving.InFlight > 0)
                    {
                        leaving.Session.Exit(time.GetTimestamp());
                        if (--leaving.InFlight == 0)
                        {
                            leaving.IdleSince = time.GetTimestamp();
                        }
                    }

                    break;

                case Step.Advance:
                    time.Advance(TimeSpan.FromMilliseconds(action.Amount));
                    break;

                case Step.Sweep:
                    var now = time.GetTimestamp();
                    var expected = ExpectedClaims(model, time, now, schedule.MaxIdle);
                    sweeper.SweepOnceAsync().GetAwaiter().GetResult();

                    // Among sessions idle equally long at the limit any may go: the model takes the tracker's pick
                    // (a refused claim shows as a reset idle time, invisible when the session became idle just now).
                    var picked = expected.Tied.Where(m => evictor.Refuse ? m.Session.LastActivity == now : m.Session.IsGone).ToList();
                    if (!evictor.Refuse || expected.Tied.Any(m => m.IdleSince != now))
                    {
                        Assert.Equal(expected.FromTied, picked.Count);
                    }

                    foreach (var m in expected.Sure.Concat(picked))
                    {
                        if (evictor.Refuse)
                        {
                            // A refused eviction returns the session to service, idle again from now; the others keep their idle time.
                            m.IdleSince = now;
                        }
                        else
                        {
                            m.Gone = true;
                        }
                    }

                    if (!evictor.Refuse)
                    {
                        // Every session idle past the timeout is gone after the sweep, and the idle limit holds.
                        Assert.DoesNotContain(model, m => m.IsIdle && time.GetElapsedTime(m.IdleSince, now) >= IdleTimeout);
                        Assert.True(tracker.IdleCount <= schedule.MaxIdle, $"{tracker.IdleCount} idle sessions, limit {schedule.MaxIdle}");
                    }

                    break;

                case Step.ToggleRefusal:
                    evictor.Refuse = action.Amount % 2 == 0;
                    break;
            }

            // No active session is ever ended; which sessions live, their requests and idle times agree with the model.
            Assert.Empty(evictor.Violations);
            Assert.All(model, m => Assert.Equal(m.Gone, m.Session.IsGone));
            Assert.All(model, m => Assert.Equal(m.Gone ? m.Session.InFlight : m.InFlight, m.Session.InFlight));
            Assert.All(model.Where(m => m.IsIdle), m => Assert.Equal(m.IdleSince, m.Session.LastActivity));
            Assert.Equal(model.Count(m => m.IsIdle), tracker.IdleCount);
            Assert.Equal(model.Count(m => !m.Gone), tracker.Count);
        }

        return true;
    }

    /// <summary>
    /// The sessions a sweep at <paramref name="now"/> must claim: every idle one idle for the timeout or longer, then
    /// the longest-idle while more than <paramref name="maxIdle"/> stay idle. Sessions idle equally long at that limit
    /// are <see cref="Claims.Tied"/>: <see cref="Claims.FromTied"/> of them go, whichever.
    /// </summary>
    private static Claims ExpectedClaims(List<ModelSession> model, TimeProvider time, long now, int maxIdle)
    {
        var idle = model.Where(m => m.IsIdle).OrderBy(m => m.IdleSince).ToList();
        var due = idle.Where(m => time.GetElapsedTime(m.IdleSince, now) >= IdleTimeout).ToList();
        var rest = idle.Skip(due.Count).ToList();
        var overLimit = Math.Max(0, rest.Count - maxIdle);
        if (overLimit == 0)
        {
            return new(due, [], 0);
        }

        var last = rest[overLimit - 1].IdleSince;
        var older = rest.TakeWhile(m => m.IdleSince < last).ToList();
        var tied = rest.Where(m => m.IdleSince == last).ToList();
        return new([.. due, .. older], tied, overLimit - older.Count);
    }

    private sealed record Claims(List<ModelSession> Sure, List<ModelSession> Tied, int FromTied);

    private sealed record Action(Step Kind, int Target, int Amount);

    private sealed record Schedule(int MaxIdle, Action[] Actions)
    {
        public override string ToString() => $"MaxIdle={MaxIdle}: {string.Join(", ", Actions.Select(a => $"{a.Kind}({a.Target},{a.Amount})"))}";
    }

    private sealed class ModelSession(TrackedSession session)
    {
        public TrackedSession Session { get; } = session;

        public int InFlight { get; set; }

        public long IdleSince { get; set; }

        public bool Gone { get; set; }

        public bool IsIdle => !Gone && InFlight == 0;
    }

    /// <summary>Ends sessions as a host does (what it ends, it removes from the tracker), and checks none was active.</summary>
    private sealed class CheckingEvictor(SessionTracker tracker) : ISessionEvictor
    {
        public ConcurrentQueue<string> Violations { get; } = new();

        public bool Refuse { get; set; }

        public Task<bool> EvictAsync(TrackedSession session, CancellationToken cancellationToken)
        {
            if (session.InFlight != 0 || session.TryEnter())
            {
                Violations.Enqueue($"{session.Id} was ended with {session.InFlight} requests in flight or still accepting requests");
            }

            if (Refuse)
            {
                return Task.FromResult(false);
            }

            tracker.Remove(session);
            return Task.FromResult(true);
        }
    }
}
