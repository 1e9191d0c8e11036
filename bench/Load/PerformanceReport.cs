using System.Globalization;
using System.Text;

namespace Load;

/// <summary>
/// Writes docs/performance.md and its plots from one run's results
/// (<see cref="PerfResults"/>): every figure in them comes from those files. The sections of bench/Load's own drivers
/// are here; bench/Churn's and bench/Micro's are in <c>PerformanceReport.Benches.cs</c>.
/// </summary>
internal static partial class PerformanceReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <param name="inDir">The run's output folder (JSON results).</param>
    /// <param name="outFile">The Markdown report (docs/performance.md).</param>
    /// <param name="svgFile">The churn plot.</param>
    /// <param name="svgLink">The plot's path as the report links it.</param>
    public static async Task WriteAsync(string inDir, string outFile, string svgFile, string svgLink)
    {
        var results = PerfResults.Read(inDir);
        var summary = MeasuredSummary.Rows(results);
        var md = new StringBuilder();
        WriteIntroduction(md, results);
        md.AppendLine("## Summary");
        md.AppendLine();
        MeasuredSummary.WriteTable(md, summary);

        if (results.Overhead is { } overhead)
        {
            WriteOverhead(md, overhead);
        }

        if (results.Hosts is { } hosts)
        {
            WriteHosts(md, hosts, results.Sdk);
        }

        if (results.Lateness is { } lateness)
        {
            WriteLateness(md, lateness);
        }

        if (results.Soaks.Count > 0)
        {
            WriteSoak(md, results.Soaks, svgLink);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(svgFile))!);
            await File.WriteAllTextAsync(svgFile, ChurnPlot.Render(results.Soaks));
        }

        if (results.Churns.Count > 0)
        {
            md.AppendLine("## Churn (`bench/Churn`)");
            md.AppendLine();
            WriteChurn(md, results.Churns);
        }

        if (results.Zombies.Count > 0)
        {
            var zombiesSvg = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(svgFile))!, "zombies.svg");
            WriteZombies(md, results.Zombies, Path.Combine(Path.GetDirectoryName(svgLink) ?? string.Empty, "zombies.svg").Replace('\\', '/'));
            await File.WriteAllTextAsync(zombiesSvg, ZombiePlot.Render(results.Zombies));
        }

        if (results.Streams.Count > 0)
        {
            WriteStreamCost(md, results.Streams);
        }

        if (results.Resumes.Count > 0)
        {
            WriteResumes(md, results.Resumes);
        }

        if (results.Flood is { Runs.Count: > 0 } flood)
        {
            WriteFlood(md, flood);
        }

        if (results.Micro is { } micro)
        {
            WriteMicro(md, micro);
        }

        await File.WriteAllTextAsync(outFile, md.ToString().TrimEnd() + "\n");
    }

    private static void WriteIntroduction(StringBuilder md, PerfResults results)
    {
        md.AppendLine("# Performance");
        md.AppendLine();
        md.AppendLine("Written by `bash eng/perf.sh` from the results of one run (do not edit by hand; run it again). Load and soak figures come");
        md.AppendLine("from `bench/Load`, which hosts MCP servers in its own process (Kestrel on 127.0.0.1, ephemeral ports) and drives them over");
        md.AppendLine("loopback: client and server share the same cores, as they would not in production, so absolute figures are this");
        md.AppendLine("machine's and this setup's; the comparisons between configurations, measured side by side in one run, are the point.");
        md.AppendLine();
        md.AppendLine("## Machine and run");
        md.AppendLine();
        md.AppendLine("| what | value |");
        md.AppendLine("|---|---|");
        if (results.Run is { } run)
        {
            md.AppendLine(Invariant, $"| date | {run.Date} |");
            md.AppendLine(Invariant, $"| CPU | {run.Cores} cores: {run.Cpu} |");
            md.AppendLine(Invariant, $"| RAM | {run.MemoryKib / 1024 / 1024} GiB ({run.MemoryKib} kB) |");
            md.AppendLine(Invariant, $"| OS | {run.Os}, Linux {run.Kernel} |");
            md.AppendLine(Invariant, $"| .NET SDK | {run.DotnetSdk} |");
            md.AppendLine(Invariant, $"| .NET runtimes | {run.Runtimes} |");
        }

        if (results.Sdk is { } sdk)
        {
            md.AppendLine(Invariant, $"| MCP SDK | {sdk.Description} (the repository's default), as McpCompat's probe finds it |");
            md.AppendLine(Invariant, $"| McpCompat `Mode=Auto` on it | the {sdk.AutoPath} path: {sdk.AutoReason} |");
        }

        md.AppendLine("| GC | workstation, concurrent (as in `bench/Load/Load.csproj`) |");
        if (results.Run is { } facts)
        {
            md.AppendLine(Invariant, $"| commit | {facts.Commit} (the tree the figures were measured on; the report itself is committed after) |");
            md.AppendLine(Invariant, $"| load average (1, 5, 15 min) | before: {facts.LoadBefore}; after: {facts.LoadAfter} |");
            md.AppendLine(Invariant, $"| wall time of `eng/perf.sh` | {facts.WallSeconds} s |");
        }

        md.AppendLine();
        md.AppendLine("Noise: the machine is shared and other builds may run during the measurement (see the load average). Overhead rounds");
        md.AppendLine("are interleaved with a rotating order and summarised by medians with the min – max spread. A difference is called");
        md.AppendLine("better, worse, met or missed only when it lies outside the measured spread; otherwise it is \"within the spread\" (see");
        md.AppendLine("the summary's notes for which spread each figure has).");
        md.AppendLine();
        if (results.Run is { Commands.Count: > 0 } withCommands)
        {
            md.AppendLine("Commands run, in order (each one's wall time), before the report was written:");
            md.AppendLine();
            foreach (var command in withCommands.Commands)
            {
                md.AppendLine(Invariant, $"- `{command.Command}` ({command.Seconds} s)");
            }

            md.AppendLine();
        }
    }

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
                $"| {Label(config)} | {Stats.Median(rows.Select(r => r.RequestsPerSecond)):0} | {Figures.Range(Spread.Of(rows.Select(r => r.RequestsPerSecond)), "0")} " +
                $"| {Stats.Median(rows.Select(r => r.P50Microseconds)):0} | {Figures.Range(Spread.Of(rows.Select(r => r.P50Microseconds)), "0")} " +
                $"| {Stats.Median(rows.Select(r => r.P99Microseconds)):0} | {Figures.Range(Spread.Of(rows.Select(r => r.P99Microseconds)), "0")} | {rows.Sum(r => r.Errors)} |");
        }

        md.AppendLine();
        md.AppendLine("Against no McpCompat, round by round (each round's figure divided by, or minus, the same round's figure without McpCompat).");
        md.AppendLine("A target is met (or missed) only when every round's figure meets (or misses) it:");
        md.AppendLine();
        md.AppendLine(Invariant, $"| configuration | throughput ratio: median | min – max | target ≥ {Targets.ThroughputRatio:0.00} | added p99 µs: median | min – max | target ≤ {Targets.AddedP99Microseconds:0} µs |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var config in configs.Where(c => c != nameof(ServerMode.Off)))
        {
            var (ratios, addedP99) = result.AgainstNoMcpCompat(config);
            md.AppendLine(Invariant,
                $"| {Label(config)} | {Stats.Median(ratios):0.000} | {Figures.Range(Spread.Of(ratios), "0.000")} | {Verdict.AtLeast(Targets.ThroughputRatio, Spread.Of(ratios))} " +
                $"| {Stats.Median(addedP99):+0;-0;0} | {Figures.Range(Spread.Of(addedP99), "+0;-0;0")} | {Verdict.AtMost(Targets.AddedP99Microseconds, Spread.Of(addedP99))} |");
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
            $"transport and awaits that task. Lateness = gone − deadline. Nothing touches a session until the end, when every id is pinged and must answer 404. " +
            $"One run per server: the target is met only when every session (the max) is within it, missed when the p99 is not.");
        md.AppendLine();
        md.AppendLine(Invariant, $"| who sweeps | sessions | gone | answer 404 after | p50 ms | p90 ms | p99 ms | max ms | min ms | target: p99 ≤ {Targets.LatenessP99Milliseconds / 1000:0.##} s |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var run in result.Runs)
        {
            var target = run.Mode == nameof(ServerMode.Fallback) ? Verdict.AtMost(Targets.LatenessP99Milliseconds, run.P99ToMax) : "(the SDK's: up to 5 s expected)";
            md.AppendLine(Invariant,
                $"| {Label(run.Mode)} | {run.Sessions} | {run.Ended} | {run.AnsweredNotFound} | {run.Percentile(50):0} | {run.Percentile(90):0} " +
                $"| {run.Percentile(99):0} | {run.Range.High:0} | {run.Range.Low:0} | {target} |");
        }

        md.AppendLine();
    }

    private static void WriteSoak(StringBuilder md, IReadOnlyList<SoakResult> soaks, string svgLink)
    {
        md.AppendLine("## Churn soak");
        md.AppendLine();
        md.AppendLine("Sessions opened (`initialize`, then `notifications/initialized`) at a steady rate by 8 workers and abandoned: no DELETE. " +
            "Each run is a process of its own. Managed heap: `GC.GetTotalMemory` after a forced blocking full GC every few seconds while loaded " +
            "(no compaction, to keep the pause short); baseline and final: the median of three readings after forced compacting full GCs with " +
            "finalizers run in between. Baseline: after a warm-up on the same path (400 sessions opened and DELETEd; in the runs with a timeout, " +
            "also 5 s of sessions opened at the run's rate, abandoned and expired, so that what the eviction path grows once is in the baseline), " +
            "before the first measured session. Final: once the last session's idle deadline and the SDK's 5 s sweep have passed (the timeout + 7 s after the last open). " +
            "The spread of final vs baseline runs from the lowest final reading against the highest baseline reading to the other way round.");
        md.AppendLine();
        md.AppendLine(Invariant, $"| run | sessions | idle timeout | target rate /s | achieved /s | opening took | most behind schedule | failed opens | baseline MiB | peak MiB | final MiB | final vs baseline | spread | sessions alive at the end | host stop took | target: ≤ +{Targets.SoakGrowthPercent:0} % |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var soak in soaks)
        {
            var unbounded = soak.Mode == nameof(ServerMode.Unbounded);
            var timeout = unbounded ? "none" : string.Create(Invariant, $"{soak.IdleTimeoutSeconds:0.##} s");
            var target = unbounded ? "(baseline run)" : Verdict.AtMost(Targets.SoakGrowthPercent, soak.GrowthSpread);
            md.AppendLine(Invariant,
                $"| {Label(soak.Mode)} | {soak.Sessions:N0} | {timeout} | {soak.TargetRate:0} | {soak.AchievedRate:0} | {soak.OpenSeconds:0} s | {soak.MaxBehindSeconds:0.0} s | {soak.Failures} " +
                $"| {Figures.Mib(soak.BaselineBytes):0.00} | {Figures.Mib(soak.PeakBytes):0.00} | {Figures.Mib(soak.FinalBytes):0.00} | {soak.GrowthPercent:+0.0;-0.0} % | {Figures.Range(soak.GrowthSpread, "+0.0;-0.0")} % " +
                $"| {soak.LiveAtEnd:N0} | {(soak.StopSeconds is { } stop ? string.Create(Invariant, $"{stop:0.0} s") : "not within 20 s")} | {target} |");
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

        if (MeasuredSummary.KibPerAbandonedSession(soaks) is { } kib)
        {
            md.AppendLine(Invariant, $"Without a timeout every abandoned session stays: {kib:0.0} KiB of managed heap per session at the end.");
            md.AppendLine();
        }

        md.AppendLine(Invariant, $"![Managed heap over time, with McpCompat and without a timeout]({svgLink})");
        md.AppendLine();
        md.AppendLine("Samples (seconds since the first measured session: MiB managed / sessions alive):");
        md.AppendLine();
        foreach (var soak in soaks)
        {
            md.Append(Invariant, $"- {Label(soak.Mode)}: ");
            md.AppendLine(string.Join(", ", soak.Samples.Select(s => string.Create(Invariant, $"{s.Seconds:0} s {Figures.Mib(s.ManagedBytes):0.0}/{s.LiveSessions}"))));
        }

        md.AppendLine();
    }

    internal static string Label(string mode) => mode switch
    {
        nameof(ServerMode.Off) => "no McpCompat",
        nameof(ServerMode.Fallback) => "McpCompat Fallback",
        nameof(ServerMode.Native) => "McpCompat Native (the SDK's sweeper)",
        nameof(ServerMode.Unbounded) => "no McpCompat, no timeout",
        _ => mode,
    };
}
