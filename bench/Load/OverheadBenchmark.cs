using System.Diagnostics;

namespace Load;

/// <summary>One measured segment: one configuration for one round.</summary>
internal sealed record OverheadSegment(string Config, int Round, int Position, long Requests, long Errors, double Seconds, double RequestsPerSecond, double P50Microseconds, double P99Microseconds);

/// <summary>What the request-overhead benchmark measured.</summary>
internal sealed record OverheadResult(int Sessions, int Workers, double WarmupSeconds, double SegmentSeconds, int Rounds, IReadOnlyList<OverheadSegment> Segments)
{
    /// <summary>
    /// Compares <paramref name="config"/> with no McpCompat round by round: each round's throughput divided by, and its
    /// p99 minus, the same round's figure without McpCompat.
    /// </summary>
    public (List<double> ThroughputRatios, List<double> AddedP99Microseconds) AgainstNoMcpCompat(string config)
    {
        var ratios = new List<double>();
        var addedP99 = new List<double>();
        foreach (var round in Segments.Select(s => s.Round).Distinct())
        {
            var with = Segments.Single(s => s.Round == round && s.Config == config);
            var without = Segments.Single(s => s.Round == round && s.Config == nameof(ServerMode.Off));
            ratios.Add(with.RequestsPerSecond / without.RequestsPerSecond);
            addedP99.Add(with.P99Microseconds - without.P99Microseconds);
        }

        return (ratios, addedP99);
    }
}

/// <summary>
/// Request overhead of McpCompat's tracking: <c>tools/call echo</c> on pre-opened sessions, a few concurrent workers,
/// against three servers hosted side by side in this process (no McpCompat, McpCompat Fallback, McpCompat Native).
/// Rounds interleave the three, rotating their order, so slow drift of the machine hits each configuration alike.
/// </summary>
internal static class OverheadBenchmark
{
    private static readonly ServerMode[] Configs = [ServerMode.Off, ServerMode.Fallback, ServerMode.Native];

    public static async Task<OverheadResult> RunAsync(int sessions, int workers, int rounds, TimeSpan segment, TimeSpan warmup)
    {
        var servers = new Dictionary<ServerMode, (LoadServer Server, McpLoadClient Client, string[] Sessions)>();
        try
        {
            foreach (var mode in Configs)
            {
                // The sample's idle timeout (30 min): nothing expires while measuring.
                var server = await LoadServer.StartAsync(mode, TimeSpan.FromMinutes(30), recordEnds: false);
                var client = new McpLoadClient(server.Endpoint);
                var ids = new string[sessions];
                for (var i = 0; i < sessions; i++)
                {
                    ids[i] = await client.OpenSessionAsync();
                }

                servers[mode] = (server, client, ids);
            }

            // JIT and tiering: every configuration runs a while before anything counts.
            foreach (var mode in Configs)
            {
                var (_, client, ids) = servers[mode];
                await RunSegmentAsync(client, ids, workers, warmup, TimeSpan.FromSeconds(1));
            }

            var segments = new List<OverheadSegment>();
            for (var round = 0; round < rounds; round++)
            {
                for (var position = 0; position < Configs.Length; position++)
                {
                    var mode = Configs[(round + position) % Configs.Length];
                    var (_, client, ids) = servers[mode];
                    CollectGarbage();
                    var (latencies, errors) = await RunSegmentAsync(client, ids, workers, warmup, segment);
                    latencies.Sort();
                    var seconds = segment.TotalSeconds;
                    segments.Add(new OverheadSegment(
                        mode.ToString(), round, position, latencies.Count, errors, seconds, latencies.Count / seconds,
                        Stats.Percentile(latencies, 50), Stats.Percentile(latencies, 99)));
                    Console.WriteLine($"  round {round + 1}/{rounds} {mode,-8} {latencies.Count / seconds,8:0} req/s  p50 {Stats.Percentile(latencies, 50),7:0} µs  p99 {Stats.Percentile(latencies, 99),7:0} µs  errors {errors}");
                }
            }

            return new OverheadResult(sessions, workers, warmup.TotalSeconds, segment.TotalSeconds, rounds, segments);
        }
        finally
        {
            foreach (var (server, client, _) in servers.Values)
            {
                client.Dispose();
                await server.DisposeAsync();
            }
        }
    }

    /// <summary>Runs the mix for <paramref name="warmup"/> unrecorded, then <paramref name="measured"/> recorded; latencies in µs.</summary>
    private static async Task<(List<double> Latencies, long Errors)> RunSegmentAsync(
        McpLoadClient client, string[] ids, int workers, TimeSpan warmup, TimeSpan measured)
    {
        var start = Stopwatch.GetTimestamp();
        var recordFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var stopAt = recordFrom + (long)(measured.TotalSeconds * Stopwatch.Frequency);
        var perWorker = new List<double>[workers];
        long errors = 0;

        var tasks = new Task[workers];
        for (var w = 0; w < workers; w++)
        {
            var worker = w;
            perWorker[worker] = new List<double>(capacity: 16_384);
            tasks[worker] = Task.Run(async () =>
            {
                var samples = perWorker[worker];
                var next = worker;
                while (true)
                {
                    var begin = Stopwatch.GetTimestamp();
                    if (begin >= stopAt)
                    {
                        return;
                    }

                    try
                    {
                        await client.CallEchoAsync(ids[next % ids.Length]);
                    }
                    catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or TaskCanceledException)
                    {
                        Interlocked.Increment(ref errors);
                    }

                    var end = Stopwatch.GetTimestamp();
                    if (begin >= recordFrom && end <= stopAt)
                    {
                        samples.Add((end - begin) * 1_000_000.0 / Stopwatch.Frequency);
                    }

                    next += workers;
                }
            });
        }

        await Task.WhenAll(tasks);
        var all = new List<double>(perWorker.Sum(l => l.Count));
        foreach (var list in perWorker)
        {
            all.AddRange(list);
        }

        return (all, errors);
    }

    private static void CollectGarbage()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
        GC.WaitForPendingFinalizers();
    }
}
