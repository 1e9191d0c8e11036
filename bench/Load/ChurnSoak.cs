using System.Diagnostics;
using System.Text.Json.Serialization;

namespace Load;

/// <summary>One memory sample of the soak.</summary>
internal sealed record SoakSample(double Seconds, long ManagedBytes, long Opened, long LiveSessions, double GcPauseMilliseconds);

/// <summary>What one churn-soak run measured. Baseline and final are the medians of three readings, which are kept.</summary>
internal sealed record SoakResult(
    string Mode,
    int Sessions,
    double IdleTimeoutSeconds,
    double TargetRate,
    double AchievedRate,
    double OpenSeconds,
    double MaxBehindSeconds,
    long Failures,
    long BaselineBytes,
    long PeakBytes,
    long FinalBytes,
    long LiveAtEnd,
    double FinalAtSeconds,
    double WallSeconds,
    IReadOnlyList<SoakSample> Samples,
    IReadOnlyList<long> BaselineReadings,
    IReadOnlyList<long> FinalReadings,
    double? StopSeconds = null)
{
    /// <summary>Gets the final managed heap against the baseline, in percent of the baseline.</summary>
    [JsonIgnore]
    public double GrowthPercent => (FinalBytes - BaselineBytes) * 100.0 / BaselineBytes;

    /// <summary>Gets the range the growth lies in, given the spread of the three readings at each end (unknown without them).</summary>
    [JsonIgnore]
    public Spread GrowthSpread => BaselineReadings is { Count: > 0 } && FinalReadings is { Count: > 0 }
        ? new((FinalReadings.Min() - BaselineReadings.Max()) * 100.0 / BaselineBytes, (FinalReadings.Max() - BaselineReadings.Min()) * 100.0 / BaselineBytes)
        : Spread.Of([]);
}

/// <summary>
/// Churn soak: sessions opened (initialize + initialized) at a steady rate and abandoned (no DELETE), with the managed
/// heap sampled after a forced full GC. Runs in a process of its own, so the heap is this run's alone.
/// </summary>
internal static class ChurnSoak
{
    /// <remarks>
    /// The result is saved (<paramref name="save"/>) once measured, then again with the time the host took to stop
    /// (at most <see cref="StopLimit"/>; the server is then abandoned to the process's exit rather than awaited).
    /// </remarks>
    public static async Task RunAsync(ServerMode mode, int sessions, double rate, TimeSpan idleTimeout, TimeSpan sampleEvery, int workers, Func<SoakResult, Task> save)
    {
        var wall = Stopwatch.StartNew();
        var server = await LoadServer.StartAsync(mode, idleTimeout, recordEnds: false);
        using var client = new McpLoadClient(server.Endpoint);

        // Warm-up on the same path and concurrency as the run (JIT, connection pool, Kestrel and array pools), but
        // the sessions are DELETEd: the baseline must hold no session in any mode.
        var warmup = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                var id = await client.OpenSessionAsync();
                await client.DeleteAsync(id);
            }
        }));
        await Task.WhenAll(warmup);

        // With a timeout, the warm-up also runs the eviction path for 5 s at the run's rate (sessions abandoned, then
        // expired), so that pools, dictionaries and threads the sweeper grows are part of the baseline, not of the
        // growth: the comparison is then about what the run's volume leaves behind.
        var warmupAbandoned = 0;
        if (mode != ServerMode.Unbounded)
        {
            warmupAbandoned = (int)Math.Min(sessions, rate * 5);
            await OpenAtRateAsync(client, warmupAbandoned, rate, workers);
            await Task.Delay(idleTimeout + TimeSpan.FromSeconds(7));
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        var baselineReadings = ThreeReadings(ManagedBytes);
        var baseline = baselineReadings[1];
        Console.WriteLine($"  {mode}: warm-up: {workers * 50} sessions deleted, {warmupAbandoned} abandoned and expired");
        Console.WriteLine($"  {mode}: baseline {Mib(baseline):0.00} MiB, live sessions {server.LiveSessions}");

        var samples = new List<SoakSample>();
        long opened = 0;
        long failures = 0;
        var maxBehind = 0L;
        var start = Stopwatch.GetTimestamp();
        var interval = Stopwatch.Frequency / rate;

        void Sample()
        {
            var before = Stopwatch.GetTimestamp();
            var bytes = LiveBytes();
            var pause = Stopwatch.GetElapsedTime(before).TotalMilliseconds;
            samples.Add(new SoakSample(Stopwatch.GetElapsedTime(start).TotalSeconds, bytes, Interlocked.Read(ref opened), server.LiveSessions, pause));
        }

        Sample();
        using var stopSampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(sampleEvery);
            while (await timer.WaitForNextTickAsync(stopSampling.Token).ConfigureAwait(false))
            {
                Sample();
                var last = samples[^1];
                Console.WriteLine($"  {mode}: t={last.Seconds,6:0.0} s opened {last.Opened,7} live {last.LiveSessions,7} managed {Mib(last.ManagedBytes),8:0.00} MiB (GC {last.GcPauseMilliseconds:0} ms)");
            }
        });

        // Steady rate: session i starts at start + i / rate; a worker that falls behind starts at once and the lag is kept.
        long next = -1;
        var openers = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= sessions)
                {
                    return;
                }

                var due = start + (long)(index * interval);
                var now = Stopwatch.GetTimestamp();
                if (due > now)
                {
                    await Task.Delay(Stopwatch.GetElapsedTime(now, due));
                }
                else
                {
                    InterlockedMax(ref maxBehind, now - due);
                }

                try
                {
                    await client.OpenSessionAsync();
                    Interlocked.Increment(ref opened);
                }
                catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or TaskCanceledException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();
        await Task.WhenAll(openers);
        var openSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        // The last session's deadline is its open + the idle timeout; wait past it and past the SDK's 5 s sweep.
        await Task.Delay(idleTimeout + TimeSpan.FromSeconds(7));
        await stopSampling.CancelAsync();
        try
        {
            await sampler;
        }
        catch (OperationCanceledException)
        {
        }

        var finalAt = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var finalReadings = ThreeReadings(ManagedBytes);
        var final = finalReadings[1];
        samples.Add(new SoakSample(finalAt, final, Interlocked.Read(ref opened), server.LiveSessions, 0));
        var peak = samples.Max(s => s.ManagedBytes);
        Console.WriteLine($"  {mode}: final {Mib(final):0.00} MiB ({(final - baseline) * 100.0 / baseline:+0.0;-0.0}% of baseline), peak {Mib(peak):0.00} MiB, live {server.LiveSessions}, {opened / openSeconds:0} sessions/s");

        var result = new SoakResult(
            mode.ToString(), sessions, idleTimeout.TotalSeconds, rate, opened / openSeconds, openSeconds,
            maxBehind / (double)Stopwatch.Frequency, failures, baseline, peak, final, server.LiveSessions, finalAt,
            wall.Elapsed.TotalSeconds, samples, baselineReadings, finalReadings);
        await save(result);

        var stopped = await server.TryStopAsync(StopLimit);
        Console.WriteLine(stopped is { } took
            ? $"  {mode}: host stopped in {took.TotalSeconds:0.0} s"
            : $"  {mode}: host not stopped within {StopLimit.TotalSeconds:0} s ({server.LiveSessions} sessions alive); left to the process exit");
        await save(result with { StopSeconds = stopped?.TotalSeconds });
    }

    /// <summary>Opens <paramref name="count"/> sessions at <paramref name="rate"/> per second and abandons them.</summary>
    private static async Task OpenAtRateAsync(McpLoadClient client, int count, double rate, int workers)
    {
        long next = -1;
        var start = Stopwatch.GetTimestamp();
        var interval = Stopwatch.Frequency / rate;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) is var index && index < count)
            {
                var due = start + (long)(index * interval);
                var now = Stopwatch.GetTimestamp();
                if (due > now)
                {
                    await Task.Delay(Stopwatch.GetElapsedTime(now, due));
                }

                try
                {
                    await client.OpenSessionAsync();
                }
                catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or TaskCanceledException)
                {
                }
            }
        })));
    }

    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(20);

    /// <summary>Managed bytes in use after one forced, blocking full collection (no compaction: a short pause while loaded).</summary>
    public static long LiveBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
        return GC.GetTotalMemory(forceFullCollection: false);
    }

    /// <summary>Managed bytes live after a forced, blocking, compacting full collection (finalizers run in between).</summary>
    public static long ManagedBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }

    /// <summary>Three readings, 300 ms apart, sorted: the middle one is the median.</summary>
    public static long[] ThreeReadings(Func<long> measure)
    {
        var values = new long[3];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = measure();
            Thread.Sleep(300);
        }

        Array.Sort(values);
        return values;
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private static double Mib(long bytes) => bytes / 1024.0 / 1024.0;
}
