using System.Text.Json.Nodes;

namespace HostileClient.Scenarios;

/// <summary>
/// <c>no-convoy</c>: requests for one evicted session while Redis hangs. Opens a session on A, lets A evict it, stops
/// Redis (SIGSTOP) for <c>--stall-s</c> (8), and <c>--delay-ms</c> (100) into the stall sends <c>--calls</c> (8) calls on
/// the session at once and one new <c>initialize</c>. The promise: each is answered (whatever the status) within
/// <c>--bound-s</c> (2.5: the store timeout the script sets, 1 s, plus a margin).
/// </summary>
internal static class NoConvoy
{
    private const string Name = "no-convoy";

    public static async Task<bool> RunAsync(Settings settings, McpWire wire, Target target)
    {
        var stall = TimeSpan.FromSeconds(settings.Double("stall-s", 8));
        var delay = TimeSpan.FromMilliseconds(settings.Int("delay-ms", 100));
        var calls = settings.Int("calls", 8);
        var bound = settings.Double("bound-s", 2.5) * 1000;

        var evictions = EvictionWatch.Start(target, 0);
        var session = await wire.OpenAsync(target.A);
        await wire.EchoAsync(target.A, session);
        await evictions.WaitAsync([session]);

        var stopped = McpWire.Now;
        await target.SignalRedisAsync("STOP");
        Task<Answer>[] echoes;
        Task<Answer> initialize;
        try
        {
            await Task.Delay(delay);
            echoes = [.. Enumerable.Range(0, calls).Select(i => wire.EchoAsync(target.A, session, $"convoy {i}"))];
            initialize = wire.InitializeAsync(target.A);
            var rest = stall.TotalMilliseconds - (McpWire.Now - stopped);
            if (rest > 0)
            {
                await Task.WhenAny(Task.WhenAll([.. echoes, initialize]), Task.Delay(TimeSpan.FromMilliseconds(rest)));
            }

            rest = stall.TotalMilliseconds - (McpWire.Now - stopped);
            if (rest > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(rest));
            }
        }
        finally
        {
            await target.SignalRedisAsync("CONT");
        }

        var answers = await Task.WhenAll(echoes);
        var init = await initialize;
        var slow = answers.Count(a => a.Milliseconds > bound) + (init.Milliseconds > bound ? 1 : 0);
        Report.Line(new JsonObject
        {
            ["scenario"] = Name,
            ["host"] = target.Label,
            ["stallSeconds"] = stall.TotalSeconds,
            ["callMs"] = new JsonArray([.. answers.OrderBy(a => a.Milliseconds).Select(a => JsonValue.Create(Scenario.Ms(a.Milliseconds)))]),
            ["callStatuses"] = new JsonArray([.. answers.OrderBy(a => a.Milliseconds).Select(a => JsonValue.Create(a.Status))]),
            ["initializeMs"] = Scenario.Ms(init.Milliseconds),
            ["initializeStatus"] = init.Status,
            ["boundMs"] = bound,
        });

        var ok = slow == 0;
        var each = string.Join(", ", answers.OrderBy(a => a.Milliseconds).Select(a => $"{Scenario.Ms(a.Milliseconds)} ms→{McpWire.StatusText(a.Status)}"));
        Report.Check(Name, target, ok,
            $"{calls} calls on one evicted session during a {stall.TotalSeconds:0.#} s Redis stall answered after {each}; a new initialize after " +
            $"{Scenario.Ms(init.Milliseconds)} ms→{McpWire.StatusText(init.Status)} (each within {bound:0} ms expected; {slow} were not)");
        return ok;
    }
}
