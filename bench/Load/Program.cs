using System.Globalization;
using Load;
using McpCompat.Benchmarks;

// Load and soak driver: hosts MCP servers in this process (Kestrel on 127.0.0.1, ephemeral ports), drives them over
// loopback, and writes what it measured as JSON; "report" turns the JSON files of a run (these, bench/Churn's,
// bench/Micro's and eng/perf.sh's run.json) into the Markdown report (docs/performance.md) and its SVG plots.
// Usage (eng/perf.sh runs all of them):
//   sdk      --out FILE   (the SDK this build runs on, as McpCompat's probe sees it, and what Mode=Auto picks)
//   overhead --out FILE [--sessions 16] [--workers 4] [--rounds 8] [--seconds 3] [--warmup 0.5]
//   lateness --out FILE [--sessions 300] [--timeout 3] [--spread 12]
//   soak     --out FILE --mode Fallback|Native|Off|Unbounded [--sessions 100000] [--rate 800] [--timeout 3] [--sample 5] [--workers 8]
//   zombies  --out FILE --keepalive 00:00:15|infinite [--rate 1] [--minutes 10] [--timeout 30] [--sample 10] [--port 20000] [--pref 1000]
//            (root, in a network namespace prepared as eng/perf.sh does)
//   hosts    --out FILE [--workers 4] [--rounds 8] [--seconds 2] [--warmup 0.5] [--prime 3]
//            (MapMcpCompat against the SDK's MapMcp; each host serves from a child process: host --kind MapMcp|MapMcpCompat)
//   streams  --out FILE --keepalive 00:00:15|infinite [--count 10000] [--seconds 60] [--workers 8]
//            (its clients run in a child process: hold --endpoint URL --count N --workers N)
//   resume   --out FILE [--redis HOST:PORT] [--sessions 1000] [--memory 20000] [--churn 100000] [--returning 0.1] [--window 90]
//            (MapMcpCompat with SessionResumeWindow: resume latency, memory per evicted session, churn with returning clients)
//   flood    --out FILE --redis HOST:PORT [--live 20] [--handshakes 30000] [--large 1048576] [--limit 10000]
//            (abandoned handshakes against MaxSessionRecords: the limit, McpCompat's default unless given, then none;
//            empties the Redis database)
//   report   --in DIR --out FILE --svg FILE [--svg-link PATH]
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Load sdk|overhead|lateness|hosts|soak|zombies|streams|resume|flood|report [--option value]...");
    return 2;
}

var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 1; i + 1 < args.Length; i += 2)
{
    options[args[i].TrimStart('-')] = args[i + 1];
}

string Text(string name, string? fallback = null) =>
    options.TryGetValue(name, out var value) ? value : fallback ?? throw new ArgumentException($"--{name} is required.");
double Number(string name, double fallback) =>
    options.TryGetValue(name, out var value) ? double.Parse(value, CultureInfo.InvariantCulture) : fallback;

Task WriteAsync<T>(T result) => ResultJson.WriteAsync(Text("out"), result);
TimeSpan KeepAlive() => Text("keepalive") is "infinite" ? Timeout.InfiniteTimeSpan : TimeSpan.Parse(Text("keepalive"), CultureInfo.InvariantCulture);

switch (args[0])
{
    case "sdk":
        await WriteAsync(SdkUnderTest.Probe());
        return 0;

    case "overhead":
        await WriteAsync(await OverheadBenchmark.RunAsync(
            sessions: (int)Number("sessions", 16),
            workers: (int)Number("workers", 4),
            rounds: (int)Number("rounds", 8),
            segment: TimeSpan.FromSeconds(Number("seconds", 3)),
            warmup: TimeSpan.FromSeconds(Number("warmup", 0.5))));
        return 0;

    case "lateness":
        await WriteAsync(await LatenessBenchmark.RunAsync(
            sessions: (int)Number("sessions", 300),
            idleTimeout: TimeSpan.FromSeconds(Number("timeout", 3)),
            spread: TimeSpan.FromSeconds(Number("spread", 12))));
        return 0;

    case "hosts":
        await WriteAsync(await HostsBenchmark.RunAsync(
            workers: (int)Number("workers", 4),
            rounds: (int)Number("rounds", 8),
            segment: TimeSpan.FromSeconds(Number("seconds", 2)),
            warmup: TimeSpan.FromSeconds(Number("warmup", 0.5)),
            prime: TimeSpan.FromSeconds(Number("prime", 3))));
        return 0;

    case "resume":
        await WriteAsync(await ResumeBenchmark.RunAsync(
            redis: options.TryGetValue("redis", out var redis) ? redis : null,
            latencySessions: (int)Number("sessions", 1000),
            memorySessions: (int)Number("memory", 20_000),
            churnSessions: (int)Number("churn", 100_000),
            returning: Number("returning", 0.1),
            window: TimeSpan.FromSeconds(Number("window", 90))));
        return 0;

    case "flood":
        await WriteAsync(await FloodBenchmark.RunAsync(
            redis: Text("redis"),
            live: (int)Number("live", 20),
            handshakes: (int)Number("handshakes", 30_000),
            largeBytes: (int)Number("large", 1_048_576),
            limit: options.TryGetValue("limit", out var limit) ? int.Parse(limit, CultureInfo.InvariantCulture) : null));
        return 0;

    case "host":
        await HostServer.ServeAsync(Enum.Parse<HostKind>(Text("kind")));
        return 0;

    case "soak":
        await ChurnSoak.RunAsync(
            Enum.Parse<ServerMode>(Text("mode")),
            sessions: (int)Number("sessions", 100_000),
            rate: Number("rate", 800),
            idleTimeout: TimeSpan.FromSeconds(Number("timeout", 3)),
            sampleEvery: TimeSpan.FromSeconds(Number("sample", 5)),
            workers: (int)Number("workers", 8),
            save: WriteAsync);
        return 0;

    case "zombies":
        await ZombieChurn.RunAsync(
            KeepAlive(),
            rate: Number("rate", 1),
            duration: TimeSpan.FromMinutes(Number("minutes", 10)),
            idleTimeout: TimeSpan.FromSeconds(Number("timeout", 30)),
            sampleEvery: TimeSpan.FromSeconds(Number("sample", 10)),
            firstPort: (int)Number("port", 20000),
            firstPreference: (int)Number("pref", 1000),
            save: WriteAsync);
        return 0;

    case "streams":
        await WriteAsync(await StreamCost.RunAsync(KeepAlive(), (int)Number("count", 10_000), TimeSpan.FromSeconds(Number("seconds", 60)), (int)Number("workers", 8)));
        return 0;

    case "hold":
        await StreamCost.HoldAsync(new Uri(Text("endpoint")), (int)Number("count", 10_000), (int)Number("workers", 8));
        return 0;

    case "report":
        await PerformanceReport.WriteAsync(Text("in"), Text("out"), Text("svg"), Text("svg-link", "perf/churn.svg"));
        return 0;

    default:
        Console.Error.WriteLine($"unknown command '{args[0]}'");
        return 2;
}
