using System.Collections.Concurrent;
using System.Diagnostics;

namespace Load;

/// <summary>One measured segment: one host, one measure, one round.</summary>
/// <param name="Host">The <see cref="HostKind"/>.</param>
/// <param name="Measure"><see cref="HostsBenchmark.Calls"/>, <see cref="HostsBenchmark.SequentialCalls"/> or <see cref="HostsBenchmark.Opens"/>.</param>
/// <param name="Round">The round, from 0.</param>
/// <param name="Position">The host's place in the round's order for this measure (0: first).</param>
/// <param name="Workers">Concurrent workers, a connection each.</param>
/// <param name="Operations">Operations sent (answered or failed).</param>
/// <param name="Errors">Operations that failed.</param>
/// <param name="Seconds">From the first operation sent to the last answer read.</param>
/// <param name="PerSecond">Operations answered per second.</param>
/// <param name="P50Microseconds">Median latency of the answered operations, as the client saw it.</param>
/// <param name="P99Microseconds">Their 99th percentile.</param>
/// <param name="BytesPerOperation">Managed bytes the server process allocated over the segment, per operation.</param>
/// <param name="CpuMicrosecondsPerOperation">CPU time the server process spent over the segment, per operation.</param>
internal sealed record HostSegment(
    string Host,
    string Measure,
    int Round,
    int Position,
    int Workers,
    long Operations,
    long Errors,
    double Seconds,
    double PerSecond,
    double P50Microseconds,
    double P99Microseconds,
    double BytesPerOperation,
    double CpuMicrosecondsPerOperation);

/// <summary>The p99 that McpCompat's host must not exceed: the SDK host's median p99 widened by its own spread over the rounds.</summary>
/// <param name="Median">The SDK host's median p99, µs.</param>
/// <param name="RelativeSpread">The SDK host's p99 (max − min) ÷ median over the rounds.</param>
internal readonly record struct P99Limit(double Median, double RelativeSpread)
{
    /// <summary>Gets the limit: <see cref="Median"/> × (1 + <see cref="RelativeSpread"/>).</summary>
    public double Microseconds => Median * (1 + RelativeSpread);

    /// <summary>Met when <paramref name="p99"/> (McpCompat's median p99) is at most the limit; missed otherwise.</summary>
    public string Judge(double p99) => double.IsNaN(p99) || double.IsNaN(Microseconds) ? Verdict.NoSpread : p99 <= Microseconds ? Verdict.Met : Verdict.Missed;
}

/// <summary>What the host comparison measured.</summary>
internal sealed record HostsResult(int Workers, double PrimeSeconds, double WarmupSeconds, double SegmentSeconds, int Rounds, IReadOnlyList<HostSegment> Segments)
{
    /// <summary>The segments of <paramref name="host"/> for <paramref name="measure"/>, by round.</summary>
    public List<HostSegment> Of(HostKind host, string measure) =>
        Segments.Where(s => s.Host == host.ToString() && s.Measure == measure).OrderBy(s => s.Round).ToList();

    /// <summary>Round by round, McpCompat's host's <paramref name="figure"/> divided by the SDK host's in the same round.</summary>
    public List<double> Ratios(string measure, Func<HostSegment, double> figure) =>
        Of(HostKind.MapMcpCompat, measure)
            .Join(Of(HostKind.MapMcp, measure), s => s.Round, s => s.Round, (compat, sdk) => figure(compat) / figure(sdk))
            .ToList();

    /// <summary>The SDK host's median p99 for <paramref name="measure"/> and its relative spread over the rounds.</summary>
    public P99Limit P99LimitOf(string measure)
    {
        var p99 = Of(HostKind.MapMcp, measure).Select(s => s.P99Microseconds).ToList();
        var median = Stats.Median(p99);
        var spread = Spread.Of(p99);
        return new P99Limit(median, (spread.High - spread.Low) / median);
    }
}

/// <summary>
/// McpCompat's Streamable HTTP host (<c>MapMcpCompat</c>) against the SDK's own (<c>MapMcp</c>), on the same SDK, the
/// same tool and the same client. Each host serves from a process of its own (<see cref="HostServer"/>), so that the
/// allocations and CPU time read from it are the server's alone; this process is the client. Three measures:
/// <c>tools/call echo</c> on one session by a few concurrent workers (one connection each); the same one request at a
/// time, where every request takes the same path through the server, so that its allocations are the same from round
/// to round; and sessions opened (<c>initialize</c> then <c>notifications/initialized</c>) by as many workers as the
/// first. Rounds interleave the hosts, the order rotating from round to round, so slow drift of the machine hits both
/// alike.
/// </summary>
internal static class HostsBenchmark
{
    /// <summary>The request measure: <c>tools/call echo</c> on one pre-opened session.</summary>
    public const string Calls = "tools/call";

    /// <summary>The same request one at a time: one worker.</summary>
    public const string SequentialCalls = "tools/call sequential";

    /// <summary>The session measure: <c>initialize</c> then <c>notifications/initialized</c>.</summary>
    public const string Opens = "session";

    private static readonly HostKind[] Hosts = [HostKind.MapMcp, HostKind.MapMcpCompat];

    public static async Task<HostsResult> RunAsync(int workers, int rounds, TimeSpan segment, TimeSpan warmup, TimeSpan prime)
    {
        var hosts = new List<Host>();
        try
        {
            foreach (var kind in Hosts)
            {
                var process = await HostProcess.StartAsync(kind);
                var client = new McpLoadClient(process.Endpoint, maxConnections: workers);
                hosts.Add(new Host(process, client, await client.OpenSessionAsync()));
            }

            // JIT and tiering: both measures run a while on every host before anything counts.
            var measures = new[] { (Calls, workers), (SequentialCalls, 1), (Opens, workers) };
            foreach (var host in hosts)
            {
                foreach (var (measure, measureWorkers) in measures)
                {
                    var opened = new ConcurrentQueue<string>();
                    await RunPhaseAsync(host.Operation(measure, opened), measureWorkers, prime);
                    await DeleteAllAsync(host.Client, opened, workers);
                }
            }

            var segments = new List<HostSegment>();
            for (var round = 0; round < rounds; round++)
            {
                foreach (var (measure, measureWorkers) in measures)
                {
                    for (var position = 0; position < hosts.Count; position++)
                    {
                        var host = hosts[(round + position) % hosts.Count];
                        var measured = await MeasureAsync(host, measure, round, position, measureWorkers, segment, warmup);
                        segments.Add(measured);
                        Console.WriteLine(
                            $"  round {round + 1}/{rounds} {measure,-21} {host.Process.Kind,-12} {measured.PerSecond,7:0} /s  p50 {measured.P50Microseconds,6:0} µs  " +
                            $"p99 {measured.P99Microseconds,6:0} µs  {measured.BytesPerOperation,7:0} B/op  {measured.CpuMicrosecondsPerOperation,5:0} µs CPU/op  errors {measured.Errors}");
                    }
                }
            }

            return new HostsResult(workers, prime.TotalSeconds, warmup.TotalSeconds, segment.TotalSeconds, rounds, segments);
        }
        finally
        {
            foreach (var host in hosts)
            {
                host.Client.Dispose();
                await host.Process.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// One segment: <paramref name="warmup"/> unrecorded (its sessions deleted), full collections in both processes, the
    /// server's allocations and CPU time read with nothing in flight, <paramref name="segment"/> recorded (every operation
    /// sent in it waited for), read again, then the sessions it opened deleted.
    /// </summary>
    private static async Task<HostSegment> MeasureAsync(Host host, string measure, int round, int position, int workers, TimeSpan segment, TimeSpan warmup)
    {
        var opened = new ConcurrentQueue<string>();
        var operation = host.Operation(measure, opened);
        await RunPhaseAsync(operation, workers, warmup);
        await DeleteAllAsync(host.Client, opened, workers);

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
        GC.WaitForPendingFinalizers();
        await host.Process.CollectAsync();
        var before = await host.Process.ReadStatsAsync();
        var (latencies, errors, seconds) = await RunPhaseAsync(operation, workers, segment);
        var after = await host.Process.ReadStatsAsync();
        await DeleteAllAsync(host.Client, opened, workers);

        var operations = latencies.Count + errors;
        return new HostSegment(
            host.Process.Kind.ToString(),
            measure,
            round,
            position,
            workers,
            operations,
            errors,
            seconds,
            latencies.Count / seconds,
            Stats.Percentile(latencies, 50),
            Stats.Percentile(latencies, 99),
            (after.AllocatedBytes - before.AllocatedBytes) / (double)operations,
            (after.Cpu - before.Cpu).TotalMicroseconds / operations);
    }

    /// <summary>
    /// Runs <paramref name="operation"/> in a loop on each of <paramref name="workers"/> until <paramref name="duration"/>
    /// has passed, then waits for the last ones; returns the answered operations' latencies (µs, sorted), the failures,
    /// and the seconds from the start until the last answer.
    /// </summary>
    private static async Task<(List<double> Latencies, long Errors, double Seconds)> RunPhaseAsync(Func<Task> operation, int workers, TimeSpan duration)
    {
        var start = Stopwatch.GetTimestamp();
        var stopAt = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var perWorker = new List<double>[workers];
        long errors = 0;
        var tasks = new Task[workers];
        for (var w = 0; w < workers; w++)
        {
            var samples = perWorker[w] = new List<double>(capacity: 16_384);
            tasks[w] = Task.Run(async () =>
            {
                while (Stopwatch.GetTimestamp() < stopAt)
                {
                    var begin = Stopwatch.GetTimestamp();
                    try
                    {
                        await operation();
                        samples.Add(Stopwatch.GetElapsedTime(begin).TotalMicroseconds);
                    }
                    catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or TaskCanceledException)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
            });
        }

        await Task.WhenAll(tasks);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var all = perWorker.SelectMany(l => l).Order().ToList();
        return (all, errors, seconds);
    }

    /// <summary>Ends every session in <paramref name="ids"/> with DELETE, <paramref name="workers"/> at a time.</summary>
    private static async Task DeleteAllAsync(McpLoadClient client, ConcurrentQueue<string> ids, int workers)
    {
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (ids.TryDequeue(out var id))
            {
                await client.DeleteAsync(id);
            }
        })));
    }

    /// <summary>A server process, its client and the session the calls go to.</summary>
    private sealed class Host(HostProcess process, McpLoadClient client, string session)
    {
        // Seven digits from the first call to the ten millionth: every request body has the same length.
        private long _requestId = 1_000_000;

        public HostProcess Process { get; } = process;

        public McpLoadClient Client { get; } = client;

        /// <summary>One operation of <paramref name="measure"/>; the sessions it opens go to <paramref name="opened"/>.</summary>
        public Func<Task> Operation(string measure, ConcurrentQueue<string> opened) => measure == Opens
            ? async () => opened.Enqueue(await Client.OpenSessionAsync())
            : () => Client.CallEchoAsync(session, Interlocked.Increment(ref _requestId));
    }
}
