using System.Collections.Concurrent;
using System.Diagnostics;
using McpCompat.Options;
using McpCompat;
namespace Load;

/// <summary>Latency percentiles of one kind of request, in microseconds.</summary>
/// <param name="RoundP50Microseconds">The median of each round (the sessions are timed in rounds): the spread of the median.</param>
internal sealed record LatencyFigures(int Count, double P50Microseconds, double P99Microseconds, double MeanMicroseconds, IReadOnlyList<double> RoundP50Microseconds);

/// <summary>
/// What <c>resume</c> measured on one store: the latency of a client's first request after its session was evicted
/// (the rebuild included) against a fresh session (initialize, initialized, then the same request) and a live call;
/// the memory an evicted-but-resumable session costs in the process and in Redis; and a churn of many sessions, some
/// coming back after eviction, with the managed heap against its baseline.
/// </summary>
internal sealed record ResumeResult(
    string Store,
    string Sdk,
    double IdleTimeoutSeconds,
    double WindowSeconds,
    LatencyFigures Resume,
    LatencyFigures Fresh,
    LatencyFigures Live,
    int LatencyResumed,
    int MemorySessions,
    long BaselineBytes,
    long LiveBytes,
    long EvictedBytes,
    IReadOnlyList<long> BaselineReadings,
    IReadOnlyList<long> EvictedReadings,
    int RecordBytes,
    long? RedisBytesPerRecord,
    long? RedisUsedMemoryDelta,
    int ChurnSessions,
    int ChurnReturning,
    int ChurnResumed,
    long ChurnBaselineBytes,
    long ChurnEvictedBytes,
    long ChurnFinalBytes,
    double ChurnSeconds,
    IReadOnlyList<long> ChurnBaselineReadings,
    IReadOnlyList<long> ChurnFinalReadings,
    long? SecondChurnFinalBytes)
{
    public double LiveBytesPerSession => (LiveBytes - BaselineBytes) / (double)MemorySessions;

    public double EvictedBytesPerSession => (EvictedBytes - BaselineBytes) / (double)MemorySessions;

    public double ChurnGrowthPercent => (ChurnFinalBytes - ChurnBaselineBytes) * 100.0 / ChurnBaselineBytes;

    /// <summary>Gets the range the bytes per evicted session lie in, from the three readings at each end.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Spread EvictedBytesSpread => new(
        (EvictedReadings.Min() - BaselineReadings.Max()) / (double)MemorySessions,
        (EvictedReadings.Max() - BaselineReadings.Min()) / (double)MemorySessions);

    /// <summary>Gets the range the churn's heap growth lies in, from the three readings at each end.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Spread ChurnGrowthSpread => new(
        (ChurnFinalReadings.Min() - ChurnBaselineReadings.Max()) * 100.0 / ChurnBaselineBytes,
        (ChurnFinalReadings.Max() - ChurnBaselineReadings.Min()) * 100.0 / ChurnBaselineBytes);
}

internal static class ResumeBenchmark
{
    private const int Workers = 8;

    // Every session keeps its record (MaxSessionRecords): this measures what records cost, not their limit (bench/Load flood does).
    private const int KeepEveryRecord = 1_000_000;

    private static readonly McpCompatOptions Defaults = new();

    /// <param name="redis">A Redis configuration string: the records go there (McpCompat.StackExchangeRedis); the in-memory cache when null.</param>
    /// <param name="latencySessions">Sessions whose first request after eviction is timed.</param>
    /// <param name="memorySessions">Sessions opened, then evicted, to weigh one.</param>
    /// <param name="churnSessions">Sessions of the churn.</param>
    /// <param name="returning">The share of the churn's sessions that come back after eviction.</param>
    /// <param name="window">SessionResumeWindow: with the in-memory cache, the churn waits it out so the records expire.</param>
    public static async Task<ResumeResult> RunAsync(string? redis, int latencySessions, int memorySessions, int churnSessions, double returning, TimeSpan window)
    {
        var idle = TimeSpan.FromSeconds(1);
        var store = redis is null ? "memory" : "redis";

        // Latency and memory on one server; the churn on a fresh one, for a clean baseline.
        await using var server = await ResumeServer.StartAsync(redis, idle, window, KeepEveryRecord, Defaults.MaxSessionRecordBytes);
        using var client = new McpLoadClient(server.Endpoint, Workers);
        Console.Error.WriteLine($"resume ({store}): latency, {latencySessions} sessions");
        var (resume, fresh, live, resumed) = await MeasureLatencyAsync(server, client, latencySessions);

        Console.Error.WriteLine($"resume ({store}): memory, {memorySessions} sessions");

        // Warm-up at the measure's concurrency (its records deleted), so that what grows once with the first burst of
        // concurrent requests (Kestrel's, the HTTP and Redis clients' pools) is in the baseline, not counted per session.
        foreach (var warm in await OpenAsync(client, Math.Min(memorySessions, 5_000), keepEvery: 1))
        {
            await client.DeleteAsync(warm);
        }

        await server.WaitUntilEvictedAsync();
        var baselineReadings = ChurnSoak.ThreeReadings(ChurnSoak.ManagedBytes);
        var baseline = baselineReadings[1];
        long? redisBefore = redis is null ? null : await RedisUsedMemoryAsync(redis);
        // A sample of the ids, not all of them: the list itself would weigh on the heap being measured.
        var ids = await OpenAsync(client, memorySessions, keepEvery: Math.Max(1, memorySessions / 200));
        var liveBytes = ChurnSoak.ThreeReadings(ChurnSoak.ManagedBytes)[1];
        await server.WaitUntilEvictedAsync();
        var evictedReadings = ChurnSoak.ThreeReadings(ChurnSoak.ManagedBytes);
        var evictedBytes = evictedReadings[1];
        var record = await server.Cache.GetAsync(RecordKey(ids[0])) ?? throw new InvalidOperationException("no record for an evicted session");
        long? perRecord = null;
        long? redisDelta = null;
        if (redis is not null)
        {
            redisDelta = await RedisUsedMemoryAsync(redis) - redisBefore;
            perRecord = await RedisMemoryUsageAsync(redis, ids.Select(RecordKey));
        }

        ids = null;
        await server.DisposeAsync();

        Console.Error.WriteLine($"resume ({store}): churn, {churnSessions} sessions, {returning:P0} returning");
        var churn = await ChurnAsync(redis, idle, window, churnSessions, returning);
        return new ResumeResult(store, McpCompat.Probing.McpSdkProbe.Current.SdkDescription, idle.TotalSeconds, window.TotalSeconds,
            resume, fresh, live, resumed,
            memorySessions, baseline, liveBytes, evictedBytes, baselineReadings, evictedReadings, record.Length, perRecord, redisDelta,
            churnSessions, churn.Returning, churn.Resumed, churn.Baseline, churn.Evicted, churn.Final, churn.Seconds, churn.BaselineReadings, churn.FinalReadings,
            churn.SecondFinal);
    }

    private static string RecordKey(string id) => "mcpcompat:session:" + id;

    private static async Task<(LatencyFigures Resume, LatencyFigures Fresh, LatencyFigures Live, int Resumed)> MeasureLatencyAsync(ResumeServer server, McpLoadClient client, int sessions)
    {
        var ids = new string[sessions];
        for (var i = 0; i < sessions; i++)
        {
            ids[i] = await client.OpenSessionAsync();
            await client.CallEchoAsync(ids[i]);
        }

        await server.WaitUntilEvictedAsync();
        var resume = new List<double>(sessions);
        var fresh = new List<double>(sessions);
        var live = new List<double>(sessions);
        var resumed = 0;
        for (var i = 0; i < sessions; i++)
        {

            // Interleaved, so that all three see the same machine: the evicted session's first request, the same
            // session's next (live) request, and what a client that got 404 does instead: a new session and the request.
            var started = Stopwatch.GetTimestamp();
            await client.CallEchoAsync(ids[i]);
            resume.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            resumed++;

            started = Stopwatch.GetTimestamp();
            await client.CallEchoAsync(ids[i]);
            live.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);

            started = Stopwatch.GetTimestamp();
            var other = await client.OpenSessionAsync();
            await client.CallEchoAsync(other);
            fresh.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }

        return (Figures(resume), Figures(fresh), Figures(live), resumed);
    }

    private const int Rounds = 5;

    private static LatencyFigures Figures(List<double> values)
    {
        var sorted = values.Order().ToArray();
        var size = Math.Max(1, values.Count / Rounds);
        var rounds = values.Chunk(size).Select(round => Stats.Percentile(round.Order().ToArray(), 50)).ToArray();
        return new LatencyFigures(sorted.Length, Stats.Percentile(sorted, 50), Stats.Percentile(sorted, 99), sorted.Average(), rounds);
    }

    /// <summary>Opens sessions with <see cref="Workers"/> concurrent clients; keeps the id of every <paramref name="keepEvery"/>th.</summary>
    private static async Task<List<string>> OpenAsync(McpLoadClient client, int sessions, int keepEvery)
    {
        var kept = new ConcurrentBag<string>();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < sessions)
            {
                var id = await client.OpenSessionAsync();
                await client.CallEchoAsync(id);
                if (n % keepEvery == 0)
                {
                    kept.Add(id);
                }
            }
        })));
        return [.. kept];
    }

    private static async Task<(int Returning, int Resumed, long Baseline, long Evicted, long Final, double Seconds, long[] BaselineReadings, long[] FinalReadings, long? SecondFinal)> ChurnAsync(
        string? redis, TimeSpan idle, TimeSpan window, int sessions, double returning)
    {
        var server = await ResumeServer.StartAsync(redis, idle, window, KeepEveryRecord, Defaults.MaxSessionRecordBytes);
        try
        {
            using var client = new McpLoadClient(server.Endpoint, Workers);

            // Warm-up: the same churn at a tenth of the size, so that the pools the first requests grow (Kestrel's,
            // the HTTP client's, the Redis client's) are in the baseline, as in a server that has been running.
            var keep = (int)Math.Round(1 / returning);
            await ChurnOnceAsync(server, client, sessions / 10, keep);
            if (redis is null)
            {
                await WaitForRecordsToExpireAsync(client, window);
            }

            var baseline = ChurnSoak.ThreeReadings(ChurnSoak.ManagedBytes);
            var started = Stopwatch.GetTimestamp();
            var (returningCount, resumed) = await ChurnOnceAsync(server, client, sessions, keep);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var evicted = ChurnSoak.ThreeReadings(ChurnSoak.ManagedBytes)[1];
            if (redis is null)
            {
                await WaitForRecordsToExpireAsync(client, window);
            }

            var final = ChurnSoak.ThreeReadings(ChurnSoak.ManagedBytes);
            long? secondFinal = null;
            if (redis is null)
            {
                // The same churn again: what the first left behind (the in-memory cache's table keeps the size it grew
                // to) must not grow with it.
                await ChurnOnceAsync(server, client, sessions, keep);
                await WaitForRecordsToExpireAsync(client, window);
                secondFinal = ChurnSoak.ThreeReadings(ChurnSoak.ManagedBytes)[1];
            }

            return (returningCount, resumed, baseline[1], evicted, final[1], seconds, baseline, final, secondFinal);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>
    /// Opens <paramref name="sessions"/> sessions, waits until all are evicted, brings every
    /// <paramref name="keep"/>th back (its first request must be answered 200: resumed, not 404), and waits until
    /// those are evicted again. Returns how many came back and how many of them were resumed.
    /// </summary>
    private static async Task<(int Returning, int Resumed)> ChurnOnceAsync(ResumeServer server, McpLoadClient client, int sessions, int keep)
    {
        var back = await OpenAsync(client, sessions, keepEvery: keep);
        await server.WaitUntilEvictedAsync();

        // The returning clients: their first request after eviction must be answered (200: resumed, not 404).
        var resumed = 0;
        var queue = new ConcurrentQueue<string>(back);
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            while (queue.TryDequeue(out var id))
            {
                if (await client.PingAsync(id) == System.Net.HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref resumed);
                }
            }
        })));
        var returningCount = back.Count;
        await server.WaitUntilEvictedAsync();
        return (returningCount, resumed);
    }

    /// <summary>
    /// With the in-memory cache the records are in this process: they go once the window has passed without use (the
    /// cache drops expired entries when it is next used, at most once a second here).
    /// </summary>
    private static async Task WaitForRecordsToExpireAsync(McpLoadClient client, TimeSpan window)
    {
        await Task.Delay(window + TimeSpan.FromSeconds(2));
        await client.PingAsync("not-a-session-expiry-scan");
        await Task.Delay(TimeSpan.FromSeconds(2));
        await client.PingAsync("not-a-session-expiry-scan");
        await Task.Delay(TimeSpan.FromSeconds(1));
    }

    // Each reading on a connection of its own, closed at once: nothing of it stays on the heap being measured.
    private static async Task<long> RedisUsedMemoryAsync(string configuration)
    {
        await using var redis = await RedisProbe.ConnectAsync(configuration);
        return await redis.UsedMemoryAsync();
    }

    private static async Task<long> RedisMemoryUsageAsync(string configuration, IEnumerable<string> keys)
    {
        await using var redis = await RedisProbe.ConnectAsync(configuration);
        return await redis.MeanMemoryUsageAsync(keys);
    }
}
