using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;

namespace McpCompat.GatewayLoad;

/// <summary>
/// The gateway's costs, side by side in one run: echo calls on open sessions against the upstream directly, through a
/// bare YARP route and through McpCompat Gateway (closed loop, <c>workers</c> sessions each calling as fast as answered),
/// the targets in turn within each round so that the machine's drift falls on all of them; and the resume latency after
/// an upstream restart against a fresh session's.
/// </summary>
internal static class GatewayBench
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static async Task<int> LoadAsync(Arguments arguments)
    {
        var targets = arguments.Pairs("target");
        var pids = arguments.Pairs("pid").ToDictionary(p => p.Key, p => p.Value.Split(',').Select(int.Parse).ToArray());
        var rounds = arguments.Get("rounds", 6);
        var seconds = arguments.Get("seconds", 3);
        var workers = arguments.Get("workers", 8);
        var rate = arguments.Get("rate", 1000);
        using var http = NewClient();
        var results = targets.ToDictionary(t => t.Key, _ => new TargetResult());
        var paced = targets.ToDictionary(t => t.Key, _ => new TargetResult());
        for (var round = 0; round < rounds; round++)
        {
            // Each round starts with another target: no target always runs first (cold) or last (warm).
            for (var i = 0; i < targets.Count; i++)
            {
                var (name, url) = targets[(round + i) % targets.Count];
                var segment = await MeasureAsync(new RawClient(http, new Uri(url)), pids.GetValueOrDefault(name, []), workers, TimeSpan.FromSeconds(seconds), rate: null);
                results[name].Add(segment);
                Console.Error.WriteLine($"round {round} {name}: {segment.Requests / segment.Seconds:0} req/s, {segment.Errors} errors");
                var steady = await MeasureAsync(new RawClient(http, new Uri(url)), pids.GetValueOrDefault(name, []), workers, TimeSpan.FromSeconds(seconds), rate);
                paced[name].Add(steady);
                Console.Error.WriteLine($"round {round} {name} at {rate}/s: {steady.Requests / steady.Seconds:0} req/s, {steady.Errors} errors");
            }
        }

        var output = results.ToDictionary(r => r.Key, r => r.Value.Summary());
        var pacedOutput = paced.ToDictionary(r => r.Key, r => r.Value.Summary());
        await File.WriteAllTextAsync(arguments.Get("out"), JsonSerializer.Serialize(new { rounds, seconds, workers, rate, processorCount = Environment.ProcessorCount, targets = output, paced = pacedOutput }, Json));
        return output.Values.Concat(pacedOutput.Values).Sum(o => o.Errors) == 0 ? 0 : 1;
    }

    public static async Task<int> ResumeAsync(Arguments arguments)
    {
        var gateway = new Uri(arguments.Get("gateway"));
        var dll = arguments.Get("upstream-dll");
        var port = arguments.Get("upstream-port", 0);
        var times = arguments.Get("times", 5);
        using var http = NewClient();
        var client = new RawClient(http, gateway);
        var upstream = StartUpstream(dll, port);
        var resumed = new List<double>();
        var fresh = new List<double>();
        var failed = 0;
        var calls = 0;
        try
        {
            await WaitListeningAsync(port);
            for (var i = 0; i < times; i++)
            {
                var session = await client.InitializeAsync();
                if (!await client.EchoAsync(session, "before"))
                {
                    failed++;
                }

                // A conversation on another session goes on across the restart: none of its calls may fail.
                var conversing = await client.InitializeAsync();
                using var stop = new CancellationTokenSource();
                var conversation = Task.Run(async () =>
                {
                    var n = 0;
                    while (!stop.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref calls);
                        if (!await client.EchoAsync(conversing, $"call-{n++}"))
                        {
                            Interlocked.Increment(ref failed);
                        }

                        await Task.Delay(20);
                    }
                });
                await Task.Delay(200);
                upstream.Kill();
                await upstream.WaitForExitAsync();
                upstream.Dispose();
                upstream = StartUpstream(dll, port);
                await WaitListeningAsync(port);
                await Task.Delay(300);
                stop.Cancel();
                await conversation;

                // The upstream is back, warmed by a session of its own (its first requests pay for its start, the JIT's
                // work among them, whichever session makes them): then the first call of a session it lost (rebuilt by
                // the gateway), against a fresh session's handshake and first call.
                var warm = await client.InitializeAsync();
                await client.EchoAsync(warm, "warm");
                await client.DeleteAsync(warm);
                var started = Stopwatch.GetTimestamp();
                if (!await client.EchoAsync(session, "after"))
                {
                    failed++;
                }

                resumed.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                started = Stopwatch.GetTimestamp();
                var newSession = await client.InitializeAsync();
                if (!await client.EchoAsync(newSession, "fresh"))
                {
                    failed++;
                }

                fresh.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                await client.DeleteAsync(session);
                await client.DeleteAsync(newSession);
                await client.DeleteAsync(conversing);
            }
        }
        finally
        {
            upstream.Kill();
            upstream.Dispose();
        }

        await File.WriteAllTextAsync(arguments.Get("out"), JsonSerializer.Serialize(new
        {
            times,
            resumedMs = resumed,
            freshMs = fresh,
            resumedMedianMs = Median(resumed),
            freshMedianMs = Median(fresh),
            conversationCalls = calls,
            failed,
        }, Json));
        return failed == 0 ? 0 : 1;
    }

    /// <summary>
    /// One segment on <paramref name="workers"/> sessions: a closed loop (each worker calls again once answered) when
    /// <paramref name="rate"/> is <see langword="null"/>, else calls sent at that steady rate whatever the answers do,
    /// each call's latency counted from when it was due (a slow answer does not hide the calls queued behind it).
    /// </summary>
    private static async Task<Segment> MeasureAsync(RawClient client, int[] pids, int workers, TimeSpan duration, int? rate)
    {
        var sessions = new string[workers];
        for (var i = 0; i < workers; i++)
        {
            sessions[i] = await client.InitializeAsync();
        }

        // Warm-up, not recorded.
        await RunAsync(client, sessions, TimeSpan.FromMilliseconds(500), record: null);
        var cpuBefore = pids.Select(CpuTicks).ToArray();
        var latencies = new List<long>[workers];
        var started = Stopwatch.GetTimestamp();
        var errors = rate is { } r ? await PaceAsync(client, sessions, duration, r, latencies) : await RunAsync(client, sessions, duration, latencies);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var cpu = pids.Select((p, i) => (CpuTicks(p) - cpuBefore[i]) * 10.0).ToArray();
        foreach (var session in sessions)
        {
            await client.DeleteAsync(session);
        }

        var all = latencies.SelectMany(l => l).ToList();
        return new Segment(all, errors, elapsed, cpu);
    }

    private static async Task<int> RunAsync(RawClient client, string[] sessions, TimeSpan duration, List<long>[]? record)
    {
        var errors = 0;
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(sessions.Select((session, w) => Task.Run(async () =>
        {
            var mine = new List<long>(4096);
            if (record is not null)
            {
                record[w] = mine;
            }

            var n = 0;
            while (Stopwatch.GetTimestamp() < until)
            {
                var start = Stopwatch.GetTimestamp();
                if (!await client.EchoAsync(session, $"w{w}-{n++}"))
                {
                    Interlocked.Increment(ref errors);
                }

                mine.Add(Stopwatch.GetTimestamp() - start);
            }
        })));
        return errors;
    }

    private static async Task<int> PaceAsync(RawClient client, string[] sessions, TimeSpan duration, int rate, List<long>[] record)
    {
        var total = (int)(rate * duration.TotalSeconds);
        var interval = Stopwatch.Frequency / (double)rate;
        var latencies = new long[total];
        var failed = 0;
        var calls = new Task[total];
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            var due = start + (long)(i * interval);
            while (Stopwatch.GetTimestamp() < due)
            {
                await Task.Delay(1);
            }

            var n = i;
            calls[i] = Task.Run(async () =>
            {
                if (!await client.EchoAsync(sessions[n % sessions.Length], $"p{n}"))
                {
                    Interlocked.Increment(ref failed);
                }

                latencies[n] = Stopwatch.GetTimestamp() - due;
            });
        }

        await Task.WhenAll(calls);
        for (var w = 0; w < record.Length; w++)
        {
            record[w] = w == 0 ? [.. latencies] : [];
        }

        return failed;
    }

    /// <summary>The process's CPU time so far (user and system), in clock ticks of 10 ms (/proc/&lt;pid&gt;/stat).</summary>
    private static long CpuTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static HttpClient NewClient() => new(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };

    private static Process StartUpstream(string dll, int port) =>
        Process.Start(new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("the upstream did not start");

    private static async Task WaitListeningAsync(int port)
    {
        var deadline = Stopwatch.GetTimestamp() + (30 * Stopwatch.Frequency);
        while (true)
        {
            try
            {
                using var socket = new TcpClient();
                await socket.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    internal static double Median(IReadOnlyList<double> values) =>
        values.Count == 0 ? double.NaN : values.Order().ElementAt(values.Count / 2);

    private sealed record Segment(List<long> Latencies, int Errors, double Seconds, double[] CpuMs)
    {
        public int Requests => Latencies.Count;
    }

    private sealed class TargetResult
    {
        private readonly List<Segment> _segments = [];

        public void Add(Segment segment) => _segments.Add(segment);

        public TargetSummary Summary()
        {
            var latencies = _segments.SelectMany(s => s.Latencies).Order().ToArray();
            double Us(double q) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)(q * latencies.Length))] * 1_000_000.0 / Stopwatch.Frequency;
            var requests = _segments.Sum(s => s.Requests);
            var cpu = _segments.Count == 0 ? [] : Enumerable.Range(0, _segments[0].CpuMs.Length).Select(i => _segments.Sum(s => s.CpuMs[i]) * 1000 / Math.Max(1, requests)).ToArray();
            return new TargetSummary(
                requests,
                _segments.Sum(s => s.Errors),
                Median([.. _segments.Select(s => s.Requests / s.Seconds)]),
                Us(0.5),
                Us(0.99),
                cpu);
        }
    }
}

/// <summary>One target's figures: requests per second (median of its segments), latency percentiles (µs), and the CPU of each of its processes per request (µs).</summary>
internal sealed record TargetSummary(int Requests, int Errors, double RequestsPerSecond, double P50Us, double P99Us, double[] CpuUsPerRequest);
