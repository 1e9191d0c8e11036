using System.Collections.Concurrent;
using FsCheck;
using FsCheck.Fluent;
using McpCompat.Sessions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace McpCompat.Tests.Sessions;

/// <summary>
/// The tracker and the sweeper against a model, over random schedules of session starts, requests in and out,
/// sweeps, clock advances and evictors that refuse: the promises hold after every step.
/// </summary>
public sealed class SessionSweeperPropertyTests
{
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

    [Fact]
    public void RandomSchedules_PromisesHoldAfterEveryStep() =>
        Prop.ForAll(Schedules(), Run).Check(Config.QuickThrowOnFailure.WithMaxTest(300).WithEndSize(80));

    private static bool Run(Schedule schedule)
    {
        var time = new FakeTimeProvider();
        var tracker = new SessionTracker();
        var evictor = new CheckingEvictor(tracker);
        using var sweeper = new SessionSweeper(
            tracker,
            MsOptions.Create(new McpCompatOptions { SessionIdleTimeout = IdleTimeout, MaxIdleSessions = schedule.MaxIdle }),
            time,
            NullLogger<SessionSweeper>.Instance);
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
                    sweeper.SweepOnceAsync().GetAwaiter().GetResult();
                    foreach (var m in model.Where(m => !m.Gone))
                    {
                        if (m.Session.IsGone)
                        {
                            m.Gone = true;
                        }
                        else if (evictor.Refuse)
                        {
                            // A refused eviction leaves the session live, idle again from now.
                            m.IdleSince = m.InFlight == 0 ? now : m.IdleSince;
                        }
                    }

                    if (!evictor.Refuse)
                    {
                        // Every session idle past the timeout is gone after the sweep, and the idle limit holds.
                        Assert.DoesNotContain(model, m => !m.Gone && m.InFlight == 0 && time.GetElapsedTime(m.IdleSince, now) >= IdleTimeout);
                        Assert.True(tracker.IdleCount <= schedule.MaxIdle, $"{tracker.IdleCount} idle sessions, limit {schedule.MaxIdle}");
                    }

                    break;

                case Step.ToggleRefusal:
                    evictor.Refuse = action.Amount % 2 == 0;
                    break;
            }

            // No active session is ever ended; counts agree with the model and never go negative.
            Assert.Empty(evictor.Violations);
            Assert.All(model, m => Assert.Equal(m.Gone ? m.Session.InFlight : m.InFlight, m.Session.InFlight));
            Assert.All(model, m => Assert.True(m.Session.InFlight >= 0));
            Assert.Equal(model.Count(m => !m.Gone && m.InFlight == 0), tracker.IdleCount);
            Assert.Equal(model.Count(m => !m.Gone), tracker.Count);
        }

        return true;
    }

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
