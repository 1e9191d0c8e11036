using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Load;

/// <summary>Turns the driver's JSON results into the Markdown sections of docs/performance.md and the churn plot.</summary>
internal static class PerformanceReport
{
    private const double ThroughputTarget = 0.98;
    private const double AddedP99TargetMicroseconds = 50;
    private const double LatenessTargetMilliseconds = 1000;
    private const double SoakTargetPercent = 5;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task WriteAsync(string inDir, string outFile, string svgFile, string svgLink, JsonSerializerOptions json)
    {
        var md = new StringBuilder();

        var overheadFile = Path.Combine(inDir, "overhead.json");
        if (File.Exists(overheadFile))
        {
            WriteOverhead(md, Read<OverheadResult>(overheadFile, json));
        }

        var latenessFile = Path.Combine(inDir, "lateness.json");
        if (File.Exists(latenessFile))
        {
            WriteLateness(md, Read<LatenessResult>(latenessFile, json));
        }

        var soaks = Directory.GetFiles(inDir, "soak-*.json").Order(StringComparer.Ordinal).Select(f => Read<SoakResult>(f, json)).ToList();
        if (soaks.Count > 0)
        {
            WriteSoak(md, soaks, svgLink);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(svgFile))!);
            await File.WriteAllTextAsync(svgFile, ChurnPlot.Render(soaks));
        }

        await File.WriteAllTextAsync(outFile, md.ToString());
    }

    private static T Read<T>(string path, JsonSerializerOptions json) =>
        JsonSerializer.Deserialize<T>(File.ReadAllText(path), json) ?? throw new InvalidDataException($"{path} is empty.");

    private static void WriteOverhead(StringBuilder md, OverheadResult result)
    {
        md.AppendLine("## Request overhead");
        md.AppendLine();
        md.AppendLine(Invariant, $"`tools/call echo` over loopback HTTP/1.1 on {result.Sessions} pre-opened sessions per server, {result.Workers} concurrent workers " +
            $"(each sends its next request when the previous answer has been read). Three servers run side by side in one process: " +
            $"no McpCompat, McpCompat `Mode=Fallback` (its tracking middleware in front of the SDK) and McpCompat `Mode=Native` " +
            $"(settings passed to the SDK; no middleware). {result.Rounds} rounds; in each, every configuration runs {result.WarmupSeconds:0.##} s unrecorded, " +
            $"then {result.SegmentSeconds:0.##} s recorded, in an order that rotates from round to round. Latency is measured by the client, request sent to answer read.");
        md.AppendLine();
        md.AppendLine("| configuration | requests/s: median | min – max over rounds | p50 µs: median | min – max | p99 µs: median | min – max | errors |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        var configs = result.Segments.Select(s => s.Config).Distinct().ToList();
        foreach (var config in configs)
        {
            var rows = result.Segments.Where(s => s.Config == config).ToList();
            md.AppendLine(Invariant,
                $"| {Label(config)} | {Stats.Median(rows.Select(r => r.RequestsPerSecond)):0} | {rows.Min(r => r.RequestsPerSecond):0} – {rows.Max(r => r.RequestsPerSecond):0} " +
                $"| {Stats.Median(rows.Select(r => r.P50Microseconds)):0} | {rows.Min(r => r.P50Microseconds):0} – {rows.Max(r => r.P50Microseconds):0} " +
                $"| {Stats.Median(rows.Select(r => r.P99Microseconds)):0} | {rows.Min(r => r.P99Microseconds):0} – {rows.Max(r => r.P99Microseconds):0} | {rows.Sum(r => r.Errors)} |");
        }

        md.AppendLine();
        md.AppendLine("Against no McpCompat, round by round (each round's figure divided by, or minus, the same round's figure without McpCompat):");
        md.AppendLine();
        md.AppendLine(Invariant, $"| configuration | throughput ratio: median | min – max | target ≥ {ThroughputTarget:0.00} | added p99 µs: median | min – max | target < {AddedP99TargetMicroseconds:0} µs |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var config in configs.Where(c => c != nameof(ServerMode.Off)))
        {
            var ratios = new List<double>();
            var addedP99 = new List<double>();
            foreach (var round in result.Segments.Select(s => s.Round).Distinct())
            {
                var with = result.Segments.Single(s => s.Round == round && s.Config == config);
                var without = result.Segments.Single(s => s.Round == round && s.Config == nameof(ServerMode.Off));
                ratios.Add(with.RequestsPerSecond / without.RequestsPerSecond);
                addedP99.Add(with.P99Microseconds - without.P99Microseconds);
            }

            var ratio = Stats.Median(ratios);
            var added = Stats.Median(addedP99);
            md.AppendLine(Invariant,
                $"| {Label(config)} | {ratio:0.000} | {ratios.Min():0.000} – {ratios.Max():0.000} | {(ratio >= ThroughputTarget ? "met" : "missed")} " +
                $"| {added:+0;-0;0} | {addedP99.Min():+0;-0;0} – {addedP99.Max():+0;-0;0} | {(added < AddedP99TargetMicroseconds ? "met" : "missed")} |");
        }

        md.AppendLine();
    }

    private static void WriteLateness(StringBuilder md, LatenessResult result)
    {
        md.AppendLine("## Eviction lateness");
        md.AppendLine();
        var first = result.Runs[0];
        md.AppendLine(Invariant, $"{first.Sessions} sessions per server, idle timeout {first.IdleTimeoutSeconds:0.##} s, default sweep settings " +
            $"(McpCompat: every 1 s; the SDK: every 5 s). Each session is opened, sent one `tools/call echo` (its last request) and left, " +
            $"at moments spread evenly over {result.SpreadSeconds:0.##} s. Its deadline is the moment the client has read that last answer plus the " +
            $"idle timeout. It is gone when the task that the SDK's `HttpServerTransportOptions.RunSessionHandler` wraps around the session's run " +
            $"ends: the SDK's session disposal (DELETE, its own sweeper, or McpCompat's eviction, which is an in-process DELETE) disposes the " +
            $"transport and awaits that task. Lateness = gone − deadline. Nothing touches a session until the end, when every id is pinged and must answer 404.");
        md.AppendLine();
        md.AppendLine("| who sweeps | sessions | gone | answer 404 after | p50 ms | p90 ms | p99 ms | max ms | min ms | target: p99 ≤ 1 s |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var run in result.Runs)
        {
            var sorted = run.LatenessMilliseconds;
            var p99 = Stats.Percentile(sorted, 99);
            var target = run.Mode == nameof(ServerMode.Fallback) ? (p99 <= LatenessTargetMilliseconds ? "met" : "missed") : "(the SDK's: up to 5 s expected)";
            md.AppendLine(Invariant,
                $"| {Label(run.Mode)} | {run.Sessions} | {run.Ended} | {run.AnsweredNotFound} | {Stats.Percentile(sorted, 50):0} | {Stats.Percentile(sorted, 90):0} " +
                $"| {p99:0} | {(sorted.Count > 0 ? sorted[^1] : double.NaN):0} | {(sorted.Count > 0 ? sorted[0] : double.NaN):0} | {target} |");
        }

        md.AppendLine();
    }

    private static void WriteSoak(StringBuilder md, List<SoakResult> soaks, string svgLink)
    {
        md.AppendLine("## Churn soak");
        md.AppendLine();
        md.AppendLine("Sessions opened (`initialize`, then `notifications/initialized`) at a steady rate by 8 workers and abandoned: no DELETE. " +
            "Each run is a process of its own. Managed heap: `GC.GetTotalMemory` after a forced blocking full GC every few seconds while loaded " +
            "(no compaction, to keep the pause short); baseline and final: the median of three readings after forced compacting full GCs with " +
            "finalizers run in between. Baseline: after a warm-up on the same path (400 sessions opened and DELETEd; in the runs with a timeout, " +
            "also 5 s of sessions opened at the run's rate, abandoned and expired, so that what the eviction path grows once is in the baseline), " +
            "before the first measured session. Final: once the last session's idle deadline and the SDK's 5 s sweep have passed (the timeout + 7 s after the last open).");
        md.AppendLine();
        md.AppendLine("| run | sessions | idle timeout | target rate /s | achieved /s | opening took | most behind schedule | failed opens | baseline MiB | peak MiB | final MiB | final vs baseline | sessions alive at the end | host stop took | target: within 5 % |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var soak in soaks)
        {
            var percent = (soak.FinalBytes - soak.BaselineBytes) * 100.0 / soak.BaselineBytes;
            var timeout = soak.Mode == nameof(ServerMode.Unbounded) ? "none" : string.Create(Invariant, $"{soak.IdleTimeoutSeconds:0.##} s");
            var target = soak.Mode == nameof(ServerMode.Unbounded) ? "(baseline run)" : percent <= SoakTargetPercent ? "met" : "missed";
            md.AppendLine(Invariant,
                $"| {Label(soak.Mode)} | {soak.Sessions:N0} | {timeout} | {soak.TargetRate:0} | {soak.AchievedRate:0} | {soak.OpenSeconds:0} s | {soak.MaxBehindSeconds:0.0} s | {soak.Failures} " +
                $"| {Mib(soak.BaselineBytes):0.00} | {Mib(soak.PeakBytes):0.00} | {Mib(soak.FinalBytes):0.00} | {percent:+0.0;-0.0} % | {soak.LiveAtEnd:N0} | {(soak.StopSeconds is { } stop ? string.Create(Invariant, $"{stop:0.0} s") : "not within 20 s")} | {target} |");
        }

        md.AppendLine();
        foreach (var soak in soaks.Where(s => s.Mode != nameof(ServerMode.Unbounded)))
        {
            var residual = soak.FinalBytes - soak.BaselineBytes;
            md.Append(Invariant, $"{Label(soak.Mode)}: final − baseline = {residual / 1024.0:+0;-0} KiB, {residual / (double)soak.Sessions:0.0} bytes per session opened");
            md.AppendLine(soak.LiveAtEnd == 0
                ? "; no session left."
                : string.Create(Invariant, $"; {soak.LiveAtEnd:N0} sessions were still alive at the final reading, {soak.IdleTimeoutSeconds + 7:0} s after the last open: eviction fell behind the arrival rate (see the samples below)."));
            md.AppendLine();
        }

        var unbounded = soaks.FirstOrDefault(s => s.Mode == nameof(ServerMode.Unbounded));
        if (unbounded is not null && unbounded.LiveAtEnd > 0)
        {
            md.AppendLine(Invariant, $"Without a timeout every abandoned session stays: {(unbounded.FinalBytes - unbounded.BaselineBytes) / (double)unbounded.LiveAtEnd / 1024:0.0} KiB of managed heap per session at the end.");
            md.AppendLine();
        }

        md.AppendLine(Invariant, $"![Managed heap over time, with McpCompat and without a timeout]({svgLink})");
        md.AppendLine();
        md.AppendLine("Samples (seconds since the first measured session: MiB managed / sessions alive):");
        md.AppendLine();
        foreach (var soak in soaks)
        {
            md.Append(Invariant, $"- {Label(soak.Mode)}: ");
            md.AppendLine(string.Join(", ", soak.Samples.Select(s => string.Create(Invariant, $"{s.Seconds:0} s {Mib(s.ManagedBytes):0.0}/{s.LiveSessions}"))));
        }

        md.AppendLine();
    }

    internal static string Label(string mode) => mode switch
    {
        nameof(ServerMode.Off) => "no McpCompat",
        nameof(ServerMode.Fallback) => "McpCompat Fallback",
        nameof(ServerMode.Native) => "McpCompat Native (the SDK's sweeper; what Auto picks on 2.3.1)",
        nameof(ServerMode.Unbounded) => "no McpCompat, no timeout",
        _ => mode,
    };

    private static double Mib(long bytes) => bytes / 1024.0 / 1024.0;
}
