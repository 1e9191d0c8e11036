using System.Globalization;
using System.Text;
using McpCompat.Benchmarks;

namespace Load;

/// <summary>One line of the measured summary: a McpCompat figure, what it is compared with, and the words each earns.</summary>
/// <param name="Measure">What is measured.</param>
/// <param name="McpCompat">McpCompat's figure and its spread.</param>
/// <param name="ComparedWith">The other figure and its spread; empty when there is none.</param>
/// <param name="Versus">McpCompat against it (<see cref="Verdict.Versus"/>); empty when there is none.</param>
/// <param name="Target">McpCompat's target; empty when there is none.</param>
/// <param name="TargetVerdict">Whether it is met (<see cref="Verdict.AtMost"/>, <see cref="Verdict.AtLeast"/>).</param>
internal sealed record SummaryRow(string Measure, string McpCompat, string ComparedWith, string Versus, string Target, string TargetVerdict);

/// <summary>
/// The measured summary at the top of docs/performance.md: every comparison the run made (those where
/// McpCompat is slower included) and every target, each worded by <see cref="Verdict"/>.
/// </summary>
internal static class MeasuredSummary
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The bench/Micro comparisons: McpCompat's case against another case of the same class and size.</summary>
    private static readonly MicroPair[] MicroPairs =
    [
        new("SweepNoneDueBenchmarks", "Sweep", "FullScan", "sweep, nothing due", "full scan", Targets.SweepNoneDueNanoseconds),
        new("SweepDueBenchmarks", "Sweep", "FullScan", "sweep ending 10,000 due (disposal aside)", "full scan finding them (not ending them)", Targets.SweepDueNanoseconds),
        new("MiddlewareBenchmarks", "KnownSession", "Bare", "fallback middleware, request of a tracked session (in process)", "the request without it", null),
        new("MiddlewareBenchmarks", "UnknownSession", "Bare", "fallback middleware, request with an id it does not track (in process)", "the request without it", null),
        new("MiddlewareBenchmarks", "NoSessionId", "Bare", "fallback middleware, POST without a session id (in process)", "the request without it", null),
    ];

    public static List<SummaryRow> Rows(PerfResults results)
    {
        var rows = new List<SummaryRow>();
        if (results.Lateness is { } lateness)
        {
            AddLateness(rows, lateness);
        }

        if (results.Micro is { } micro)
        {
            AddMicro(rows, micro, results.Soaks);
        }

        if (results.Overhead is { } overhead)
        {
            AddOverhead(rows, overhead);
        }

        if (results.Hosts is { } hosts)
        {
            AddHosts(rows, hosts);
        }

        AddSoak(rows, results.Soaks);
        AddKeepAlives(rows, results.Zombies, results.Streams);
        AddResumes(rows, results.Resumes);
        if (results.Flood is { } flood)
        {
            AddFlood(rows, flood);
        }

        return rows;
    }

    /// <summary>
    /// Keep-alives: live zombie sessions at the end of the churn with keep-alives against without (single runs, no
    /// spread: no verdict), and the cost of the quiet streams with keep-alives against without.
    /// </summary>
    private static void AddKeepAlives(List<SummaryRow> rows, IReadOnlyList<ZombieResult> zombies, IReadOnlyList<StreamCostResult> streams)
    {
        if (zombies.FirstOrDefault(z => z.KeepAlive != "off") is { } on && zombies.FirstOrDefault(z => z.KeepAlive == "off") is { } off)
        {
            rows.Add(new(
                string.Create(Invariant, $"zombie GET streams on the SDK's host, {on.Opened:N0} over {on.Seconds / 60:0} min: live at the end, RSS at the end"),
                string.Create(Invariant, $"keep-alives every {on.KeepAlive}: {on.LiveAtEnd:N0} live, {Figures.Mib(on.RssEndBytes):0} MiB"),
                string.Create(Invariant, $"keep-alives off: {off.LiveAtEnd:N0} live, {Figures.Mib(off.RssEndBytes):0} MiB"),
                string.Empty,
                string.Empty,
                string.Empty));
        }

        if (streams.FirstOrDefault(s => s.KeepAlive != "off") is { } active && streams.FirstOrDefault(s => s.KeepAlive == "off") is { } quiet)
        {
            rows.Add(new(
                string.Create(Invariant, $"{active.Streams:N0} quiet GET streams: server CPU, active timers in the process, bytes sent per stream per minute, managed heap"),
                string.Create(Invariant, $"keep-alives every {active.KeepAlive}: {active.CpuSeconds / active.WindowSeconds * 100:0.00} % of a core, {Timers(active.ActiveTimers)}, {PerStreamMinute(active):0} B, {Figures.Mib(active.ManagedBytes):0} MiB"),
                string.Create(Invariant, $"keep-alives off: {quiet.CpuSeconds / quiet.WindowSeconds * 100:0.00} % of a core, {Timers(quiet.ActiveTimers)}, {PerStreamMinute(quiet):0} B, {Figures.Mib(quiet.ManagedBytes):0} MiB"),
                string.Empty,
                string.Empty,
                string.Empty));
        }
    }

    /// <summary>A count of timers: "1 timer", "2 timers".</summary>
    private static string Timers(long count) => count == 1 ? "1 timer" : string.Create(Invariant, $"{count} timers");

    /// <summary>The bytes sent per stream per minute of the window.</summary>
    public static double PerStreamMinute(StreamCostResult run) =>
        run.Streams == 0 ? 0 : run.UnreadBytes / (double)run.Streams / (run.WindowSeconds / 60);

    public static void WriteTable(StringBuilder md, IReadOnlyList<SummaryRow> rows)
    {
        md.AppendLine("| measure | McpCompat | compared with | McpCompat is | target | target is |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            md.AppendLine(Invariant, $"| {row.Measure} | {row.McpCompat} | {row.ComparedWith} | {row.Versus} | {row.Target} | {row.TargetVerdict} |");
        }

        md.AppendLine();
        md.AppendLine("Spreads: min – max over the rounds (loopback) or over the sessions (lateness); mean ± error for the micro-benchmarks");
        md.AppendLine("(half BenchmarkDotNet's 99.9 % confidence interval); for the heap, from the lowest to the highest of three readings at");
        md.AppendLine("each end. McpCompat is \"better\" or \"worse\" only when its spread and the other's do not overlap, and a target is");
        md.AppendLine("\"met\" or \"missed\" only when the whole spread lies on one side of it (for lateness: met when every session is within");
        md.AppendLine("it, missed when the p99 is not); otherwise the difference is \"within the spread\". The full scan is McpCompat's");
        md.AppendLine("re-implementation of the SDK's sweep, a loop over every session like the one the SDK's sweeper runs every 5 s, timed");
        md.AppendLine("over McpCompat's tracker: not the SDK's code. The micro-benchmarks run in process, without HTTP. MapMcpCompat against");
        md.AppendLine("MapMcp: \"McpCompat is\" compares the round-by-round ratios with 1; its p99 target is met when its median p99 is within");
        md.AppendLine("MapMcp's median p99 widened by MapMcp's own relative spread over the rounds, and missed otherwise.");
        md.AppendLine();
    }

    /// <summary>Managed heap per session that the run without a timeout kept, in KiB; null without such a run.</summary>
    public static double? KibPerAbandonedSession(IReadOnlyList<SoakResult> soaks) =>
        soaks.FirstOrDefault(s => s.Mode == nameof(ServerMode.Unbounded)) is { LiveAtEnd: > 0 } unbounded
            ? (unbounded.FinalBytes - unbounded.BaselineBytes) / (double)unbounded.LiveAtEnd / 1024
            : null;

    private static void AddLateness(List<SummaryRow> rows, LatenessResult lateness)
    {
        var ours = lateness.Runs.FirstOrDefault(r => r.Mode == nameof(ServerMode.Fallback));
        if (ours is null)
        {
            return;
        }

        var sdk = lateness.Runs.FirstOrDefault(r => r.Mode == nameof(ServerMode.Native));
        rows.Add(new(
            string.Create(Invariant, $"eviction lateness, p99 of {ours.Sessions} sessions, {ours.IdleTimeoutSeconds:0.##} s idle timeout"),
            $"Fallback: {LatenessText(ours)}",
            sdk is null ? "" : $"the SDK's sweeper (Native): {LatenessText(sdk)}",
            sdk is null ? "" : Verdict.Versus(ours.Range, sdk.Range),
            string.Create(Invariant, $"p99 ≤ {Targets.LatenessP99Milliseconds:N0} ms"),
            Verdict.AtMost(Targets.LatenessP99Milliseconds, ours.P99ToMax)));
    }

    private static string LatenessText(LatenessRun run) =>
        string.Create(Invariant, $"{run.Percentile(99):N0} ms ({Figures.Range(run.Range, "N0")})");

    private static void AddMicro(List<SummaryRow> rows, MicroResults micro, IReadOnlyList<SoakResult> soaks)
    {
        foreach (var pair in MicroPairs)
        {
            foreach (var ours in micro.Cases.Where(c => c.Type == pair.Type && c.Method == pair.Method))
            {
                var other = micro.Cases.FirstOrDefault(c => c.Type == pair.Type && c.Method == pair.Other && c.Tracked == ours.Tracked);
                var target = pair.TargetNanoseconds is { } limit
                    ? (Text: $"≤ {Figures.Limit(limit)}", Verdict: Verdict.AtMost(limit, MicroSpread(ours)))
                    : (Text: "", Verdict: "");
                rows.Add(new(
                    string.Create(Invariant, $"{pair.Measure}, {ours.Tracked:N0} tracked"),
                    MicroText(ours),
                    other is null ? "" : $"{pair.OtherLabel}: {MicroText(other)}",
                    other is null ? "" : Verdict.Versus(MicroSpread(ours), MicroSpread(other)),
                    target.Text,
                    target.Verdict));
            }
        }

        if (micro.Footprint.Count > 0)
        {
            var bytes = Spread.Of(micro.Footprint.Select(f => f.BytesPerSession));
            var sizes = string.Join(" and ", micro.Footprint.Select(f => f.Tracked.ToString("N0", Invariant)));
            var kib = KibPerAbandonedSession(soaks);
            rows.Add(new(
                $"McpCompat's bookkeeping per tracked session ({sizes} tracked; spread over the sizes)",
                bytes.Low == bytes.High ? string.Create(Invariant, $"{bytes.Low:N0} B") : $"{Figures.Range(bytes, "N0")} B",
                kib is null ? "" : string.Create(Invariant, $"a session the SDK keeps: {kib:0.0} KiB of managed heap (soak without a timeout)"),
                "",
                string.Create(Invariant, $"≤ {Targets.BytesPerTrackedSession:N0} B"),
                Verdict.AtMost(Targets.BytesPerTrackedSession, bytes)));
        }
    }

    private static Spread MicroSpread(MicroCase c) => Spread.Around(c.MeanNanoseconds, c.ErrorNanoseconds);

    private static string MicroText(MicroCase c) =>
        $"{Figures.DurationAndError(c.MeanNanoseconds, c.ErrorNanoseconds)}, {c.AllocatedBytes?.ToString("N0", Invariant) ?? "?"} B";

    private static void AddOverhead(List<SummaryRow> rows, OverheadResult overhead)
    {
        foreach (var config in overhead.Segments.Select(s => s.Config).Distinct().Where(c => c != nameof(ServerMode.Off)))
        {
            var (ratios, addedP99) = overhead.AgainstNoMcpCompat(config);
            var label = PerformanceReport.Label(config);
            var rounds = string.Create(Invariant, $"median of {ratios.Count} rounds (min – max)");
            rows.Add(new(
                $"loopback throughput, {label} ÷ no McpCompat, {rounds}",
                string.Create(Invariant, $"× {Stats.Median(ratios):0.000} ({Figures.Range(Spread.Of(ratios), "0.000")})"),
                "no McpCompat in the same rounds: × 1",
                Verdict.Versus(Spread.Of(ratios), Spread.Exactly(1), lowerIsBetter: false),
                string.Create(Invariant, $"≥ {Targets.ThroughputRatio:0.00}"),
                Verdict.AtLeast(Targets.ThroughputRatio, Spread.Of(ratios))));
            rows.Add(new(
                $"loopback p99 added, {label} − no McpCompat, {rounds}",
                string.Create(Invariant, $"{Stats.Median(addedP99):+0;-0;0} µs ({Figures.Range(Spread.Of(addedP99), "+0;-0;0")})"),
                "no McpCompat in the same rounds: +0 µs",
                Verdict.Versus(Spread.Of(addedP99), Spread.Exactly(0)),
                string.Create(Invariant, $"≤ {Targets.AddedP99Microseconds:0} µs"),
                Verdict.AtMost(Targets.AddedP99Microseconds, Spread.Of(addedP99))));
        }
    }

    /// <summary>
    /// MapMcpCompat against the SDK's MapMcp. "McpCompat is" compares the round-by-round ratios with 1; the targets are
    /// those of <see cref="PerformanceReport"/>'s host section.
    /// </summary>
    private static void AddHosts(List<SummaryRow> rows, HostsResult hosts)
    {
        var rounds = string.Create(Invariant, $"median of {hosts.Rounds} rounds (min – max)");
        string Figure(HostKind host, string measure, Func<HostSegment, double> figure, string unit)
        {
            var values = hosts.Of(host, measure).Select(figure).ToList();
            return string.Create(Invariant, $"{Stats.Median(values):N0} {unit} ({Figures.Range(Spread.Of(values), "N0")})");
        }

        var calls = HostsBenchmark.Calls;
        var throughput = hosts.Ratios(calls, s => s.PerSecond);
        rows.Add(new(
            $"loopback `tools/call` throughput, MapMcpCompat ÷ MapMcp (the SDK's host), {rounds}",
            $"{PerformanceReport.RatioText(throughput)}: {Figure(HostKind.MapMcpCompat, calls, s => s.PerSecond, "req/s")}",
            $"MapMcp in the same rounds: {Figure(HostKind.MapMcp, calls, s => s.PerSecond, "req/s")}",
            Verdict.Versus(Spread.Of(throughput), Spread.Exactly(1), lowerIsBetter: false),
            string.Create(Invariant, $"≥ {Targets.HostThroughputRatio:0.00}"),
            Verdict.AtLeast(Targets.HostThroughputRatio, Spread.Of(throughput))));

        var p99 = hosts.Ratios(calls, s => s.P99Microseconds);
        var limit = hosts.P99LimitOf(calls);
        var ours = Stats.Median(hosts.Of(HostKind.MapMcpCompat, calls).Select(s => s.P99Microseconds));
        rows.Add(new(
            $"loopback `tools/call` p99, MapMcpCompat vs MapMcp, {rounds}",
            $"{Figure(HostKind.MapMcpCompat, calls, s => s.P99Microseconds, "µs")}; ratio {PerformanceReport.RatioText(p99)}",
            $"MapMcp: {Figure(HostKind.MapMcp, calls, s => s.P99Microseconds, "µs")}",
            Verdict.Versus(Spread.Of(p99), Spread.Exactly(1)),
            string.Create(Invariant, $"median ≤ MapMcp's × (1 + its relative spread {limit.RelativeSpread:0.000}) = {limit.Microseconds:N0} µs"),
            limit.Judge(ours)));

        var sequential = HostsBenchmark.SequentialCalls;
        var p50 = hosts.Ratios(sequential, s => s.P50Microseconds);
        rows.Add(new(
            $"loopback `tools/call` p50, one request at a time, MapMcpCompat vs MapMcp, {rounds}",
            $"{Figure(HostKind.MapMcpCompat, sequential, s => s.P50Microseconds, "µs")}; ratio {PerformanceReport.RatioText(p50)}",
            $"MapMcp: {Figure(HostKind.MapMcp, sequential, s => s.P50Microseconds, "µs")}",
            Verdict.Versus(Spread.Of(p50), Spread.Exactly(1)),
            string.Empty,
            string.Empty));

        var bytes = hosts.Ratios(sequential, s => s.BytesPerOperation);
        rows.Add(new(
            $"managed bytes the server process allocates per `tools/call`, one at a time, MapMcpCompat vs MapMcp, {rounds}",
            $"{Figure(HostKind.MapMcpCompat, sequential, s => s.BytesPerOperation, "B")}; ratio {PerformanceReport.RatioText(bytes)}",
            $"MapMcp: {Figure(HostKind.MapMcp, sequential, s => s.BytesPerOperation, "B")}",
            Verdict.Versus(Spread.Of(bytes), Spread.Exactly(1)),
            string.Create(Invariant, $"ratio ≤ {Targets.HostBytesRatio:0.00}"),
            Verdict.AtMost(Targets.HostBytesRatio, Spread.Of(bytes))));

        var opens = HostsBenchmark.Opens;
        var rate = hosts.Ratios(opens, s => s.PerSecond);
        rows.Add(new(
            $"sessions opened per second (`initialize` + `notifications/initialized`), MapMcpCompat ÷ MapMcp, {rounds}",
            $"{PerformanceReport.RatioText(rate)}: {Figure(HostKind.MapMcpCompat, opens, s => s.PerSecond, "/s")}",
            $"MapMcp in the same rounds: {Figure(HostKind.MapMcp, opens, s => s.PerSecond, "/s")}",
            Verdict.Versus(Spread.Of(rate), Spread.Exactly(1), lowerIsBetter: false),
            string.Empty,
            string.Empty));

        var sessionBytes = hosts.Ratios(opens, s => s.BytesPerOperation);
        rows.Add(new(
            $"managed bytes the server process allocates per session opened, MapMcpCompat vs MapMcp, {rounds}",
            $"{Figure(HostKind.MapMcpCompat, opens, s => s.BytesPerOperation, "B")}; ratio {PerformanceReport.RatioText(sessionBytes)}",
            $"MapMcp: {Figure(HostKind.MapMcp, opens, s => s.BytesPerOperation, "B")}",
            Verdict.Versus(Spread.Of(sessionBytes), Spread.Exactly(1)),
            string.Empty,
            string.Empty));
    }

    private static void AddSoak(List<SummaryRow> rows, IReadOnlyList<SoakResult> soaks)
    {
        var unbounded = soaks.FirstOrDefault(s => s.Mode == nameof(ServerMode.Unbounded));
        foreach (var soak in soaks.Where(s => s != unbounded))
        {
            rows.Add(new(
                string.Create(Invariant, $"managed heap after {soak.Sessions:N0} abandoned sessions, {PerformanceReport.Label(soak.Mode)}, final vs baseline"),
                GrowthText(soak),
                unbounded is null ? "" : $"no McpCompat, no timeout: {GrowthText(unbounded)}, {Figures.Mib(unbounded.FinalBytes).ToString("N0", Invariant)} MiB held",
                unbounded is null ? "" : Verdict.Versus(soak.GrowthSpread, unbounded.GrowthSpread),
                string.Create(Invariant, $"≤ +{Targets.SoakGrowthPercent:0} %"),
                Verdict.AtMost(Targets.SoakGrowthPercent, soak.GrowthSpread)));
        }
    }

    private static void AddResumes(List<SummaryRow> rows, IReadOnlyList<ResumeResult> resumes)
    {
        foreach (var r in resumes)
        {
            var store = PerformanceReport.StoreLabel(r.Store);
            rows.Add(new(
                $"first request of an evicted session (resumed), p50, {store}",
                string.Create(Invariant, $"{r.Resume.P50Microseconds:N0} µs ({Figures.Range(Spread.Of(r.Resume.RoundP50Microseconds), "N0")} over {r.Resume.RoundP50Microseconds.Count} rounds)"),
                string.Create(Invariant, $"a new session instead (initialize, initialized, the request): {r.Fresh.P50Microseconds:N0} µs ({Figures.Range(Spread.Of(r.Fresh.RoundP50Microseconds), "N0")})"),
                Verdict.Versus(Spread.Of(r.Resume.RoundP50Microseconds), Spread.Of(r.Fresh.RoundP50Microseconds)),
                "",
                ""));
            rows.Add(new(
                $"managed bytes per evicted session that can resume, {store}",
                string.Create(Invariant, $"{r.EvictedBytesPerSession:N0} B ({Figures.Range(r.EvictedBytesSpread, "N0")})"),
                string.Create(Invariant, $"a live session: {r.LiveBytesPerSession:N0} B"),
                "",
                string.Create(Invariant, $"≤ {Targets.BytesPerEvictedSession:N0} B"),
                Verdict.AtMost(Targets.BytesPerEvictedSession, r.EvictedBytesSpread)));
            rows.Add(new(
                string.Create(Invariant, $"managed heap after {r.ChurnSessions:N0} sessions churned, {r.ChurnReturning:N0} back after eviction ({r.ChurnResumed:N0} resumed), {store}, final vs baseline"),
                string.Create(Invariant, $"{r.ChurnGrowthPercent:+0.0;-0.0} % ({Figures.Range(r.ChurnGrowthSpread, "+0.0;-0.0")})"),
                "",
                "",
                string.Create(Invariant, $"≤ +{Targets.ResumeChurnGrowthPercent:0} %, all resumed"),
                r.ChurnResumed == r.ChurnReturning ? Verdict.AtMost(Targets.ResumeChurnGrowthPercent, r.ChurnGrowthSpread) : Verdict.Missed));
        }
    }

    /// <summary>
    /// Abandoned handshakes against the record limits: the records Redis holds after the flood with McpCompat's limits
    /// against without (exact counts: McpCompat is better or worse when they differ), with the target met when the
    /// records stay within the limit and every live session answers.
    /// </summary>
    private static void AddFlood(List<SummaryRow> rows, FloodResult flood)
    {
        if (flood.Limited is not { } limited)
        {
            return;
        }

        var unlimited = flood.Unlimited;
        rows.Add(new(
            string.Create(Invariant, $"session records in Redis after {limited.Handshakes:N0} abandoned handshakes and one with ~1 MB of capabilities, {limited.Live} live sessions ({limited.RecordsBefore:N0} records before); `used_memory` growth; live sessions answering after"),
            string.Create(Invariant, $"MaxSessionRecords {limited.MaxSessionRecords:N0}: {FloodText(limited)}"),
            unlimited is null ? "" : string.Create(Invariant, $"no limits: {FloodText(unlimited)}"),
            unlimited is null ? "" : Verdict.Versus(Spread.Exactly(limited.RecordsAfter), Spread.Exactly(unlimited.RecordsAfter)),
            PerformanceReport.FloodTarget(limited),
            PerformanceReport.FloodVerdict(limited)));
    }

    private static string FloodText(FloodRun run) => string.Create(Invariant,
        $"{run.RecordsAfter:N0} records, {Figures.Mib(run.UsedMemoryGrowth):+0.0;-0.0} MiB, {run.LiveAnswered}/{run.Live} answer, the ~1 MB record {(run.LargeRecordStored ? "stored" : "not stored")}");

    private static string GrowthText(SoakResult soak) =>
        string.Create(Invariant, $"{soak.GrowthPercent:+0.0;-0.0} % ({Figures.Range(soak.GrowthSpread, "+0.0;-0.0")})");

    /// <summary>A bench/Micro comparison: <paramref name="Method"/> against <paramref name="Other"/> in <paramref name="Type"/>, at each size.</summary>
    private sealed record MicroPair(string Type, string Method, string Other, string Measure, string OtherLabel, double? TargetNanoseconds);
}
