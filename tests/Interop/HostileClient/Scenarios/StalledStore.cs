using System.Globalization;
using System.Text.Json.Nodes;

namespace HostileClient.Scenarios;

/// <summary>
/// <c>stalled-store</c>: DELETEs while Redis hangs. Two sessions on a fleet of two: one live on A and B (opened on A,
/// resumed on B), deleted on A; one live on A only, deleted on B (which knows it only by its record). Redis is stopped
/// (SIGSTOP) for <c>--stall-s</c> (7, longer than the store client's own timeout) and both DELETEs are sent
/// <c>--delete-after-ms</c> (200) into the stall. A DELETE answered 503 is sent again once Redis is back, as a client
/// would. The promise: each DELETE answers 2xx (or 404), or 503 with <c>Retry-After</c> and a JSON-RPC error; either way,
/// once Redis is back, neither session answers 200 on either instance (1 s after, and after the idle timeout) and Redis
/// holds no record of either.
/// </summary>
internal static class StalledStore
{
    private const string Name = "stalled-store";

    public static async Task<bool> RunAsync(Settings settings, McpWire wire, Target target)
    {
        var stall = TimeSpan.FromSeconds(settings.Double("stall-s", 7));
        var deleteAfter = TimeSpan.FromMilliseconds(settings.Int("delete-after-ms", 200));
        var a = target.A;
        var b = target.B;

        // Both live on A (a call just before the stall: not idle long enough to be evicted), the first resumed on B too.
        var both = await wire.OpenAsync(a);
        var onB = await wire.EchoAsync(b, both);
        var onlyA = await wire.OpenAsync(a);
        await Task.WhenAll(wire.EchoAsync(a, both), wire.EchoAsync(a, onlyA));

        // Redis hangs; the DELETEs go out while it does, and it continues after the stall whatever they answered.
        var stopped = McpWire.Now;
        await target.SignalRedisAsync("STOP");
        Task<Answer>[] deletes;
        try
        {
            await Task.Delay(deleteAfter);
            deletes = [wire.DeleteAsync(a, both), wire.DeleteAsync(b, onlyA)];
            var rest = stall.TotalMilliseconds - (McpWire.Now - stopped);
            if (rest > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(rest));
            }
        }
        finally
        {
            await target.SignalRedisAsync("CONT");
        }

        var first = await Task.WhenAll(deletes);

        var cases = new[] { ("live on A and B, deleted on A", both, a, first[0]), ("live on A, deleted on B", onlyA, b, first[1]) };
        var outcomes = new List<(string What, McpSession Session, Answer First, List<Answer> Retries)>();
        foreach (var (what, session, deletedOn, answer) in cases)
        {
            var retries = new List<Answer>();
            var last = answer;
            while (last.Status == 503 && retries.Count < 3)
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Clamp(double.TryParse(last.RetryAfter, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ? seconds : 1, 0.2, 2)));
                last = await wire.DeleteAsync(deletedOn, session);
                retries.Add(last);
            }

            outcomes.Add((what, session, answer, retries));
        }

        var sessions = new[] { both, onlyA };
        await Task.Delay(TimeSpan.FromSeconds(1));
        var watchA = EvictionWatch.Start(target, 0);
        var watchB = EvictionWatch.Start(target, 1);
        var soonA = await Scenario.ServedAsync(wire, a, sessions);
        var soonB = await Scenario.ServedAsync(wire, b, sessions);
        var soon = soonA.Union(soonB).ToHashSet(StringComparer.Ordinal);
        await Task.WhenAll(
            watchA.WaitAsync(sessions.Where(s => soonA.Contains(s.Id)), Scenario.Settle),
            watchB.WaitAsync(sessions.Where(s => soonB.Contains(s.Id)), Scenario.Settle));
        var later = (await Scenario.ServedAsync(wire, a, sessions)).Union(await Scenario.ServedAsync(wire, b, sessions)).ToHashSet(StringComparer.Ordinal);
        using var redis = await target.ConnectRedisAsync();

        var ok = true;
        foreach (var (what, session, answer, retries) in outcomes)
        {
            var record = await redis.RecordsOfAsync([session.Id]);
            var retryable = answer.Status == 503 && answer.RetryAfter is not null && answer.ErrorCode is not null;
            var answered = retryable || McpWire.IsSuccess(answer.Status) || answer.Status == 404;
            var alive = soon.Contains(session.Id) || later.Contains(session.Id);
            var passed = answered && !alive && record == 0;
            ok &= passed;
            Report.Line(new JsonObject
            {
                ["scenario"] = Name,
                ["host"] = target.Label,
                ["session"] = session.Id,
                ["case"] = what,
                ["resumedOnB"] = onB.Status,
                ["delete"] = answer.Status,
                ["deleteMs"] = Scenario.Ms(answer.Milliseconds),
                ["retryAfter"] = answer.RetryAfter,
                ["errorCode"] = answer.ErrorCode,
                ["retries"] = new JsonArray([.. retries.Select(r => JsonValue.Create(r.Status))]),
                ["aliveAfter1s"] = soon.Contains(session.Id),
                ["aliveAfterIdle"] = later.Contains(session.Id),
                ["record"] = record,
            });
            var retried = retries.Count == 0 ? "" : $", then {string.Join(", ", retries.Select(r => McpWire.StatusText(r.Status)))} once Redis was back";
            Report.Check(Name, target, passed,
                $"session {what}: DELETE during a {stall.TotalSeconds:0.#} s stall answered {McpWire.StatusText(answer.Status)} after {Scenario.Ms(answer.Milliseconds)} ms" +
                $"{(answer.Status == 503 ? $" (Retry-After {answer.RetryAfter ?? "missing"}, JSON-RPC error {answer.ErrorCode?.ToString(CultureInfo.InvariantCulture) ?? "missing"})" : "")}{retried}; " +
                $"afterwards it answered 200: {Scenario.Yes(alive)} (1 s after: {Scenario.Yes(soon.Contains(session.Id))}, after the idle timeout: {Scenario.Yes(later.Contains(session.Id))}); " +
                $"Redis holds its record: {Scenario.Yes(record > 0)} (2xx/404 or a retryable 503, then never 200 and no record, expected)");
        }

        return ok;
    }
}
