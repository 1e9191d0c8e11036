using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace HostileClient.Scenarios;

/// <summary>
/// <c>delete-in-flight</c>: a client deletes its session while its own calls are in flight. Each trial opens a session on
/// instance A, starts <c>--callers</c> (4) callers calling <c>echo</c> back to back, sends DELETE after 0.5–1 s, and lets
/// the callers go on for <c>--tail-ms</c> (300) after the DELETE's answer; <c>--parallel</c> (8) trials at a time,
/// <c>--trials</c> (40) in all. Then one more call per session a second later, and again once those that answered have
/// been evicted (a call would resume any that can). The promise: each DELETE answers 2xx; no call sent after a DELETE's
/// answer is served; no session answers afterwards; Redis keeps no record of any.
/// </summary>
internal static class DeleteInFlight
{
    private const string Name = "delete-in-flight";

    public static async Task<bool> RunAsync(Settings settings, McpWire wire, Target target)
    {
        var trials = settings.Int("trials", 40);
        var callers = settings.Int("callers", 4);
        var parallel = settings.Int("parallel", 8);
        var tail = TimeSpan.FromMilliseconds(settings.Int("tail-ms", 300));
        var results = new ConcurrentBag<TrialResult>();

        await Parallel.ForEachAsync(Enumerable.Range(0, trials), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (trial, _) =>
        {
            results.Add(await TrialAsync(wire, target, trial, callers, tail));
        });

        // A second for the notice the DELETE sends, then once more after whatever answered has been evicted: a session
        // with no live copy then comes back only from a record written meanwhile.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var sessions = results.Select(r => r.Session).ToList();
        var evictions = EvictionWatch.Start(target, 0);
        var soon = await Scenario.ServedAsync(wire, target.A, sessions);
        await evictions.WaitAsync(sessions.Where(s => soon.Contains(s.Id)), Scenario.Settle);
        var alive = await Scenario.ServedAsync(wire, target.A, sessions);
        long? records = null;
        if (target.Redis is not null)
        {
            using var redis = await target.ConnectRedisAsync();
            records = await redis.RecordsOfAsync(sessions.Select(s => s.Id));
        }

        var deleted = results.Count(r => McpWire.IsSuccess(r.Delete.Status));
        var callsAfter = results.Sum(r => r.CallsAfter);
        var servedAfter = results.Sum(r => r.ServedAfter);
        var sessionsServedAfter = results.Count(r => r.ServedAfter > 0);
        Report.Line(new JsonObject
        {
            ["scenario"] = Name,
            ["host"] = target.Label,
            ["trials"] = trials,
            ["callers"] = callers,
            ["deleteStatuses"] = Report.Statuses(results.Select(r => r.Delete.Status)),
            ["callStatuses"] = Report.Statuses(results.SelectMany(r => r.Statuses)),
            ["callsAfterDelete"] = callsAfter,
            ["servedAfterDelete"] = servedAfter,
            ["sessionsServedAfterDelete"] = sessionsServedAfter,
            ["aliveAfter1s"] = soon.Count,
            ["aliveAfterIdle"] = alive.Count,
            ["aliveIds"] = new JsonArray([.. alive.Select(id => JsonValue.Create(id))]),
            ["records"] = records,
        });

        var deletesOk = deleted == trials && servedAfter == 0;
        Report.Check(Name, target, deletesOk,
            $"{deleted} of {trials} DELETEs answered 2xx ({Report.StatusText(results.Select(r => r.Delete.Status))}) with {callers} callers in flight; " +
            $"{servedAfter} of {callsAfter} calls sent after a DELETE's answer were served (in {sessionsServedAfter} sessions; 0 expected)");
        var goneOk = soon.Count == 0 && alive.Count == 0 && (records ?? 0) == 0;
        Report.Check(Name, target, goneOk,
            $"{alive.Count} of {trials} deleted sessions answered 200 after the idle timeout and a resume attempt ({soon.Count} a second after the last DELETE); " +
            $"{(records is null ? "no Redis" : $"Redis holds {records} of their records")} (0 and 0 expected)");
        return deletesOk && goneOk;
    }

    private static async Task<TrialResult> TrialAsync(McpWire wire, Target target, int trial, int callers, TimeSpan tail)
    {
        var session = await wire.OpenAsync(target.A);
        using var stop = new CancellationTokenSource();
        var calls = new ConcurrentBag<Answer>();
        var loops = Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                calls.Add(await wire.EchoAsync(target.A, session, $"trial {trial} caller {caller}"));
            }
        })).ToArray();

        await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(500, 1000)));
        var delete = await wire.DeleteAsync(target.A, session);
        await Task.Delay(tail);
        await stop.CancelAsync();
        await Task.WhenAll(loops);

        var after = calls.Where(c => c.SentAt > delete.AnsweredAt).ToList();
        var served = after.Count(c => c.Served);
        Report.Line(new JsonObject
        {
            ["scenario"] = Name,
            ["host"] = target.Label,
            ["trial"] = trial,
            ["session"] = session.Id,
            ["delete"] = delete.Status,
            ["deleteMs"] = Scenario.Ms(delete.Milliseconds),
            ["callsBefore"] = calls.Count - after.Count,
            ["callsAfter"] = after.Count,
            ["servedAfter"] = served,
            ["statusesAfter"] = Report.Statuses(after.Select(c => c.Status)),
        });
        return new TrialResult(session, delete, after.Count, served, [.. calls.Select(c => c.Status)]);
    }

    private sealed record TrialResult(McpSession Session, Answer Delete, int CallsAfter, int ServedAfter, int[] Statuses);
}
