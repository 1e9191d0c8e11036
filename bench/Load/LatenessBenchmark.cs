using System.Diagnostics;
using System.Net;
using System.Text.Json.Serialization;

namespace Load;

/// <summary>Eviction lateness of one server: one value per session, in milliseconds, sorted ascending.</summary>
internal sealed record LatenessRun(string Mode, double IdleTimeoutSeconds, int Sessions, int Ended, int AnsweredNotFound, IReadOnlyList<double> LatenessMilliseconds)
{
    /// <summary>Gets the lowest and highest lateness over the sessions.</summary>
    [JsonIgnore]
    public Spread Range => LatenessMilliseconds.Count == 0 ? Spread.Of([]) : new(LatenessMilliseconds[0], LatenessMilliseconds[^1]);

    /// <summary>Gets the p99 and the max: a p99 target is met when the max meets it, missed when the p99 misses it.</summary>
    [JsonIgnore]
    public Spread P99ToMax => new(Percentile(99), Range.High);

    /// <summary>Returns the nearest-rank percentile of the sessions' lateness.</summary>
    public double Percentile(double percent) => Stats.Percentile(LatenessMilliseconds, percent);
}

/// <summary>What the eviction-lateness benchmark measured.</summary>
internal sealed record LatenessResult(double SpreadSeconds, IReadOnlyList<LatenessRun> Runs);

/// <summary>
/// Eviction lateness: how long after its idle deadline (the end of its last request, as the client saw it, plus the
/// idle timeout) a session is gone. Sessions are opened and made idle at moments spread evenly over a window longer
/// than both sweep intervals, so every phase of the sweepers' timers is sampled. "Gone" is the moment the SDK's
/// <c>RunSessionHandler</c> task of the session ends, which the SDK's session disposal awaits; nothing touches the
/// session in between (a request would reset its idleness). Afterwards every id is pinged: it must answer 404.
/// </summary>
internal static class LatenessBenchmark
{
    public static async Task<LatenessResult> RunAsync(int sessions, TimeSpan idleTimeout, TimeSpan spread)
    {
        var runs = new List<LatenessRun>();
        foreach (var mode in new[] { ServerMode.Fallback, ServerMode.Native })
        {
            runs.Add(await RunOneAsync(mode, sessions, idleTimeout, spread));
        }

        return new LatenessResult(spread.TotalSeconds, runs);
    }

    private static async Task<LatenessRun> RunOneAsync(ServerMode mode, int sessions, TimeSpan idleTimeout, TimeSpan spread)
    {
        await using var server = await LoadServer.StartAsync(mode, idleTimeout, recordEnds: true);
        using var client = new McpLoadClient(server.Endpoint);

        // Warm-up: JIT the request paths and DELETE, so the first measured sessions are not slower than the rest.
        for (var i = 0; i < 20; i++)
        {
            var id = await client.OpenSessionAsync();
            await client.CallEchoAsync(id);
            await client.DeleteAsync(id);
        }

        // Each session is opened, called once (its last request) and left, at its own moment in the window.
        var ids = new string[sessions];
        var lastEnd = new long[sessions];
        var start = Stopwatch.GetTimestamp();
        var tasks = new Task[sessions];
        for (var i = 0; i < sessions; i++)
        {
            var index = i;
            var at = start + (long)(spread.TotalSeconds * Stopwatch.Frequency * index / sessions);
            tasks[index] = Task.Run(async () =>
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), at);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                ids[index] = await client.OpenSessionAsync();
                await client.CallEchoAsync(ids[index]);
                lastEnd[index] = Stopwatch.GetTimestamp();
            });
        }

        await Task.WhenAll(tasks);

        // Wait for every session to be gone: the idle timeout, the slower sweep interval (the SDK's 5 s), and margin.
        var waitUntil = lastEnd.Max() + (long)((idleTimeout.TotalSeconds + 5 + 5) * Stopwatch.Frequency);
        while (server.EndedSessions < sessions + 20 && Stopwatch.GetTimestamp() < waitUntil)
        {
            await Task.Delay(100);
        }

        var lateness = new List<double>(sessions);
        var deadlineTicks = (long)(idleTimeout.TotalSeconds * Stopwatch.Frequency);
        for (var i = 0; i < sessions; i++)
        {
            if (server.TryGetEnd(ids[i], out var gone))
            {
                lateness.Add((gone - (lastEnd[i] + deadlineTicks)) * 1000.0 / Stopwatch.Frequency);
            }
        }

        var notFound = 0;
        foreach (var id in ids)
        {
            if (await client.PingAsync(id) == HttpStatusCode.NotFound)
            {
                notFound++;
            }
        }

        lateness.Sort();
        Console.WriteLine($"  {mode,-8} ended {lateness.Count}/{sessions}  p50 {Stats.Percentile(lateness, 50):0} ms  p99 {Stats.Percentile(lateness, 99):0} ms  max {(lateness.Count > 0 ? lateness[^1] : double.NaN):0} ms  404s {notFound}");
        return new LatenessRun(mode.ToString(), idleTimeout.TotalSeconds, sessions, lateness.Count, notFound, lateness);
    }
}
