using System.Globalization;
using System.Text;

namespace Load;

/// <summary>The report's section on resumable sessions (<c>bench/Load resume</c>).</summary>
internal static partial class PerformanceReport
{
    internal static string StoreLabel(string store) => store switch
    {
        "memory" => "in-memory cache",
        "redis" => "Redis (McpCompat.StackExchangeRedis)",
        _ => store,
    };

    private static void WriteResumes(StringBuilder md, IReadOnlyList<ResumeResult> runs)
    {
        var first = runs[0];
        md.AppendLine("## Resumable sessions (`SessionResumeWindow`)");
        md.AppendLine();
        md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"`bench/Load resume`, once per store: `MapMcpCompat` on {first.Sdk}'s `ModelContextProtocol`, in this process, with ") +
            string.Create(CultureInfo.InvariantCulture, $"`SessionIdleTimeout` {first.IdleTimeoutSeconds:0.##} s, `SweepInterval` 100 ms, and the records in the in-memory cache (`AddDistributedMemoryCache`) or in a ") +
            "real Redis server on 127.0.0.1 (`AddMcpCompatRedis`, Debian's `redis-server`, started by `eng/perf.sh`).");
        md.AppendLine();
        md.AppendLine("- **Latency.** Sessions are opened, each calls `echo`, and all are left to be evicted. Then, for each session in turn: its");
        md.AppendLine("  first `echo` after eviction (the record read and the session rebuilt before the call is handled), its next `echo` (the");
        md.AppendLine("  session live again), and what a client that got 404 would do instead: a new session (`initialize`,");
        md.AppendLine("  `notifications/initialized`) and the same `echo`. One client, one request at a time, interleaved; the spread is the");
        md.AppendLine("  median of each fifth of the sessions.");
        md.AppendLine("- **Memory.** With every earlier session evicted, the managed heap (median of three readings after forced, compacting");
        md.AppendLine("  collections); then sessions opened (heap with all live), then all evicted (heap with only their records left). In Redis:");
        md.AppendLine("  `MEMORY USAGE` of 200 records (key included), and the growth of `used_memory` per session.");
        md.AppendLine("- **Churn.** A fresh server; first the same churn at a tenth of the size, unrecorded, so that the pools that grow with the");
        md.AppendLine("  first requests (Kestrel's, the HTTP and Redis clients') are in the baseline. Then sessions are opened by 8 clients, all");
        md.AppendLine("  evicted, one in ten comes back (its first request must be answered 200: resumed, not 404), and those are evicted again.");
        md.AppendLine("  With the in-memory cache the records are in the process: the final reading waits the window out, so they expire.");
        md.AppendLine();
        md.AppendLine("| store | first request after eviction, p50 / p99 | new session + request, p50 / p99 | live request, p50 / p99 | record (JSON) | live session | evicted session, in process | evicted session, in Redis |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var r in runs)
        {
            var redis = r.RedisBytesPerRecord is { } perRecord
                ? string.Create(CultureInfo.InvariantCulture, $"{perRecord:N0} B (`MEMORY USAGE`); `used_memory` +{r.RedisUsedMemoryDelta / (double)r.MemorySessions:N0} B per session")
                : "–";
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {StoreLabel(r.Store)} | {r.Resume.P50Microseconds:N0} / {r.Resume.P99Microseconds:N0} µs | {r.Fresh.P50Microseconds:N0} / {r.Fresh.P99Microseconds:N0} µs | {r.Live.P50Microseconds:N0} / {r.Live.P99Microseconds:N0} µs | {r.RecordBytes:N0} B | {r.LiveBytesPerSession:N0} B | {r.EvictedBytesPerSession:N0} B ({Figures.Range(r.EvictedBytesSpread, "N0")}) | {redis} |"));
        }

        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Latency over {first.Resume.Count:N0} sessions per store ({first.LatencyResumed:N0} resumed of {first.Resume.Count:N0} in the first run); memory over {first.MemorySessions:N0} sessions.");
        md.AppendLine();
        md.AppendLine("| store | sessions churned | came back | resumed | heap: baseline | after all evicted | final | final vs baseline | churn time |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var r in runs)
        {
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {StoreLabel(r.Store)} | {r.ChurnSessions:N0} | {r.ChurnReturning:N0} | {r.ChurnResumed:N0} | {Figures.Mib(r.ChurnBaselineBytes):N1} MiB | {Figures.Mib(r.ChurnEvictedBytes):N1} MiB | {Figures.Mib(r.ChurnFinalBytes):N1} MiB | {r.ChurnGrowthPercent:+0.0;-0.0} % ({Figures.Range(r.ChurnGrowthSpread, "+0.0;-0.0")}) | {r.ChurnSeconds:N0} s |"));
        }

        md.AppendLine();
        md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"\"After all evicted\" holds the records where they are in the process (the in-memory cache, `SessionResumeWindow` {first.WindowSeconds:N0} s in this run); the final reading comes after the window."));
        foreach (var r in runs.Where(r => r.SecondChurnFinalBytes is not null))
        {
            var second = r.SecondChurnFinalBytes!.Value;
            var left = r.ChurnFinalBytes - r.ChurnBaselineBytes;
            var added = second - r.ChurnFinalBytes;
            md.AppendLine();
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"With the {StoreLabel(r.Store)} the first churn left {left / (double)r.ChurnSessions:N0} bytes per record of its peak ({Figures.Mib(left):N2} MiB) once the records had expired. The same churn, run a second time, ended at {Figures.Mib(second):N1} MiB, {Math.Round(added / (double)r.ChurnSessions):+0;-0;0} bytes per record against the first one's final reading: ") +
                (added <= left / 4
                    ? "what the first left is held once, not per churn. We attribute it to the in-memory cache's table (a .NET concurrent dictionary keeps the size its peak gave it); that attribution is not measured on its own."
                    : "it grew again, so what the first left is not only a table sized once; not investigated in this run."));
        }

        md.AppendLine();
    }
}
