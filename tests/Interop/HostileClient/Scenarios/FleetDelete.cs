using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace HostileClient.Scenarios;

/// <summary>
/// <c>fleet-delete</c>: two instances on one Redis; the client's calls go to A while its DELETE goes to B. Opens
/// <c>--sessions</c> (150) sessions on A, lets A evict them, then races each: <c>--burst</c> (4) calls on A, which resume
/// it there from its record, and the DELETE on B, then <c>--tail</c> (3) more calls on A. The races start
/// <c>--gap-ms</c> (15) apart: closer, the instances' notices of deleted sessions queue up, and a late notice still ends
/// a copy that a prompt one would have missed. Each DELETE leaves at an offset from its calls, swept from
/// <c>--offset-from-ms</c> (-6; negative: the DELETE first) to <c>--offset-to-ms</c> (2) over the races in a random
/// order; which request wins varies more from run to run than with the offset. The promise: once the DELETEs are
/// answered and a second has passed for the fleet's notice, no id answers 200 on either instance, then or once idle past
/// the timeout, and Redis holds no record of them.
/// </summary>
internal static class FleetDelete
{
    private const string Name = "fleet-delete";

    public static async Task<bool> RunAsync(Settings settings, McpWire wire, Target target)
    {
        var count = settings.Int("sessions", 150);
        var burst = settings.Int("burst", 4);
        var from = settings.Double("offset-from-ms", -6);
        var to = settings.Double("offset-to-ms", 2);
        var gap = settings.Double("gap-ms", 15);
        var tail = settings.Int("tail", 3);
        var a = target.A;
        var b = target.B;

        var evictions = EvictionWatch.Start(target, 0);
        var sessions = new ConcurrentBag<McpSession>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, _) =>
        {
            var session = await wire.OpenAsync(a);
            await wire.EchoAsync(a, session);
            sessions.Add(session);
        });

        // Connections open before the races, enough for every request in flight at once: each leaves when its schedule
        // says, not after a connection is made.
        await Task.WhenAll(wire.WarmAsync(a, 64), wire.WarmAsync(b, 32));

        // Evicted on A: the calls below resume it there, from its record, while B deletes it.
        await evictions.WaitAsync(sessions);
        var started = await DispatchAsync(wire, a, b, [.. sessions], burst, from, to, gap);
        var races = await Task.WhenAll(started.Select(race => FinishAsync(wire, a, race, tail)));

        await Task.Delay(TimeSpan.FromSeconds(1));
        var laterOnA = EvictionWatch.Start(target, 0);
        var laterOnB = EvictionWatch.Start(target, 1);
        var aliveA = await Scenario.ServedAsync(wire, a, sessions);
        var aliveB = await Scenario.ServedAsync(wire, b, sessions);

        // Whatever answered stays until evicted: then a request may resume it only from a record written meanwhile.
        await Task.WhenAll(
            laterOnA.WaitAsync(sessions.Where(s => aliveA.Contains(s.Id)), Scenario.Settle),
            laterOnB.WaitAsync(sessions.Where(s => aliveB.Contains(s.Id)), Scenario.Settle));
        var laterA = await Scenario.ServedAsync(wire, a, sessions);
        var laterB = await Scenario.ServedAsync(wire, b, sessions);
        using var redis = await target.ConnectRedisAsync();
        var records = await redis.RecordsOfAsync(sessions.Select(s => s.Id));

        var alive = aliveA.Union(aliveB).ToHashSet(StringComparer.Ordinal);
        var later = laterA.Union(laterB).ToHashSet(StringComparer.Ordinal);
        foreach (var race in races.OrderBy(r => r.Offset))
        {
            Report.Line(new JsonObject
            {
                ["scenario"] = Name,
                ["host"] = target.Label,
                ["session"] = race.Id,
                ["offsetMs"] = Math.Round(race.Offset, 3),
                ["burst"] = new JsonArray([.. race.Burst.Select(s => JsonValue.Create(s))]),
                ["delete"] = race.Delete.Status,
                ["deleteMs"] = Math.Round(race.Delete.Milliseconds, 1),
                ["servedOnAAfterDelete"] = race.ServedAfter,
                ["alive"] = alive.Contains(race.Id),
                ["aliveAfterIdle"] = later.Contains(race.Id),
            });
        }

        var deleted = races.Count(r => McpWire.IsSuccess(r.Delete.Status));
        var servedAfter = races.Sum(r => r.ServedAfter);
        var survivors = races.Where(r => alive.Contains(r.Id) || later.Contains(r.Id)).ToList();
        Report.Line(new JsonObject
        {
            ["scenario"] = Name,
            ["host"] = target.Label,
            ["sessions"] = count,
            ["deleteStatuses"] = Report.Statuses(races.Select(r => r.Delete.Status)),
            ["burstStatuses"] = Report.Statuses(races.SelectMany(r => r.Burst)),
            ["callsOnAAfterDelete"] = races.Sum(r => r.CallsAfter),
            ["servedOnAAfterDelete"] = servedAfter,
            ["sessionsServedOnAAfterDelete"] = races.Count(r => r.ServedAfter > 0),
            ["aliveOnA"] = aliveA.Count,
            ["aliveOnB"] = aliveB.Count,
            ["aliveAfterIdleOnA"] = laterA.Count,
            ["aliveAfterIdleOnB"] = laterB.Count,
            ["records"] = records,
            ["survivorOffsetsMs"] = new JsonArray([.. survivors.Select(r => JsonValue.Create(Math.Round(r.Offset, 2)))]),
        });

        var ok = alive.Count == 0 && later.Count == 0 && records == 0;
        Report.Check(Name, target, ok,
            $"{count} sessions evicted on A, called there (to resume them) while B deleted them ({deleted} DELETEs 2xx; calls on A {Report.StatusText(races.SelectMany(r => r.Burst))}): " +
            $"1 s after, {alive.Count} ids answered 200 (A {aliveA.Count}, B {aliveB.Count}); once idle past the timeout {later.Count} " +
            $"(A {laterA.Count}, B {laterB.Count}); Redis holds {records} of their records (0, 0, 0 expected); " +
            $"{servedAfter} calls on A sent after B's DELETE had answered were served, in {races.Count(r => r.ServedAfter > 0)} sessions");
        return ok;
    }

    /// <summary>
    /// Starts every race from one thread, on a schedule: race i at i × gap, its DELETE on B offset from its calls on A by
    /// an offset swept evenly from <paramref name="from"/> to <paramref name="to"/>. The thread sleeps while a request is
    /// more than 2 ms away, yields the processor while it is more than 50 µs away, then spins: the schedule holds to a
    /// few microseconds and leaves the processors to the servers meanwhile.
    /// </summary>
    private static Task<List<StartedRace>> DispatchAsync(McpWire wire, Uri a, Uri b, McpSession[] sessions, int burst, double from, double to, double gap)
    {
        // The offsets in a random order: each part of the sweep is spread over the whole run, not bunched at its start.
        var offsets = Enumerable.Range(0, sessions.Length).Select(i => sessions.Length == 1 ? from : from + (to - from) * i / (sessions.Length - 1)).ToArray();
        Random.Shared.Shuffle(offsets);
        var races = sessions.Select((s, i) => new StartedRace(s) { Offset = offsets[i] }).ToList();
        var events = new List<(double At, int Race, bool Delete)>();
        for (var i = 0; i < races.Count; i++)
        {
            var at = (i + 1) * gap - Math.Min(from, 0);
            events.Add((at, i, false));
            events.Add((at + races[i].Offset, i, true));
        }

        events.Sort((x, y) => x.At.CompareTo(y.At));

        var done = new TaskCompletionSource<List<StartedRace>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            var origin = McpWire.Now;
            foreach (var (at, race, delete) in events)
            {
                while (origin + at - McpWire.Now is var wait && wait > 0)
                {
                    if (wait > 2)
                    {
                        Thread.Sleep(1);
                    }
                    else if (wait > 0.05)
                    {
                        Thread.Yield();
                    }
                }

                var session = races[race].Session;
                if (delete)
                {
                    races[race].Delete = wire.DeleteAsync(b, session);
                }
                else
                {
                    races[race].Calls = [.. Enumerable.Range(0, burst).Select(_ => wire.EchoAsync(a, session))];
                }
            }

            done.SetResult(races);
        })
        {
            IsBackground = true,
            Priority = ThreadPriority.AboveNormal,
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>
    /// The race's answers, then the client going on calling A: <paramref name="tail"/> calls one after another, once every
    /// race has been sent (so that they take no connection the schedule needs).
    /// </summary>
    private static async Task<RaceResult> FinishAsync(McpWire wire, Uri a, StartedRace race, int tail)
    {
        var delete = await race.Delete!;
        var burstAnswers = await Task.WhenAll(race.Calls!);
        var session = race.Session;
        var after = new List<Answer>(burstAnswers);
        for (var i = 0; i < tail; i++)
        {
            after.Add(await wire.EchoAsync(a, session));
        }

        var sentAfter = after.Where(c => c.SentAt > delete.AnsweredAt).ToList();
        if (after.FirstOrDefault(c => c.Failure is not null) is { } failed)
        {
            Console.Error.WriteLine(failed.Failure);
        }

        return new RaceResult(session.Id, race.Offset, delete, [.. burstAnswers.Select(c => c.Status)], sentAfter.Count, sentAfter.Count(c => c.Served));
    }

    private sealed class StartedRace(McpSession session)
    {
        public McpSession Session { get; } = session;

        public double Offset { get; set; }

        public Task<Answer>? Delete { get; set; }

        public Task<Answer>[]? Calls { get; set; }
    }

    private sealed record RaceResult(string Id, double Offset, Answer Delete, int[] Burst, int CallsAfter, int ServedAfter);
}
