using System.Text;

namespace Load;

/// <summary>The host comparison's section of the report: McpCompat's <c>MapMcpCompat</c> against the SDK's <c>MapMcp</c>.</summary>
internal static partial class PerformanceReport
{
    /// <summary>The host comparison's figures per segment: the name the tables give each, and how each is written.</summary>
    private static readonly (string Name, Func<HostSegment, double> Figure, string Format)[] HostFigures =
    [
        ("per second", s => s.PerSecond, "N0"),
        ("p50 µs", s => s.P50Microseconds, "N0"),
        ("p99 µs", s => s.P99Microseconds, "N0"),
        ("allocated B per operation", s => s.BytesPerOperation, "N0"),
        ("server CPU µs per operation", s => s.CpuMicrosecondsPerOperation, "N1"),
    ];

    private static readonly string[] HostMeasures = [HostsBenchmark.Calls, HostsBenchmark.SequentialCalls, HostsBenchmark.Opens];

    private static void WriteHosts(StringBuilder md, HostsResult result, SdkUnderTest? sdk)
    {
        md.AppendLine("## MapMcpCompat against the SDK's MapMcp");
        md.AppendLine();
        md.AppendLine(Invariant, $"The same MCP server (the `echo` tool, logging off) behind each host, on {sdk?.Description ?? "the same SDK"}: the SDK's own `MapMcp` " +
            $"(ModelContextProtocol.AspNetCore, stateful, no McpCompat) and McpCompat's `MapMcpCompat` (over ModelContextProtocol.Core's transport). " +
            $"Both keep their default idle timeout (2 h) and have no cap on sessions (the SDK's `MaxIdleSessionCount`, McpCompat's `MaxSessions` and " +
            $"`MaxIdleSessions` at `int.MaxValue`): a cap ends the longest-idle session, the one the calls go to, once a segment of opens passes it. " +
            $"Each host serves from a process of its own (workstation GC), so what is read from that process is the server's alone; the client, the same " +
            $"for both, is the driver process, with {result.Workers} workers on a loopback HTTP/1.1 connection each, each sending its next request when " +
            $"the previous answer has been read.");
        md.AppendLine();
        md.AppendLine(Invariant, $"Three measures: `tools/call echo` on one session opened beforehand, by the {result.Workers} workers (every request with a " +
            $"JSON-RPC id of its own); the same by one worker, one request at a time, where every request takes the same path through the server, so that " +
            $"its allocations repeat to the byte from round to round once the JIT has settled (a first warm-up too short leaves them higher; with concurrent " +
            $"requests, how many of the server's awaits complete at once varies with the machine's load, and with it what is allocated); and sessions opened (`initialize`, then `notifications/initialized`) by the {result.Workers} " +
            $"workers, the sessions a segment opens deleted after it, unrecorded.");
        md.AppendLine();
        md.AppendLine(Invariant, $"First, each host runs both measures for {result.PrimeSeconds:0.##} s unrecorded (JIT and tiering). Then {result.Rounds} rounds; " +
            $"in each, for each measure, the two hosts run one after the other, in an order that alternates from round to round: {result.WarmupSeconds:0.##} s " +
            $"unrecorded, forced full collections in the server process and the client, the server process's `GC.GetTotalAllocatedBytes(precise: true)` and " +
            $"CPU time read with nothing in flight, {result.SegmentSeconds:0.##} s recorded (the requests still in flight at the end waited for), then the " +
            $"server process read again. Allocated and CPU per operation: the difference over the segment divided by its operations; it holds everything " +
            $"the server process did meanwhile (Kestrel, the SDK, McpCompat, their timers, and the reading itself, under 200 bytes). Latency: the " +
            $"client's, request sent to answer read. Per second: operations answered ÷ the time from the first sent to the last answer.");
        md.AppendLine();

        md.Append("| measure | host | errors |");
        var separator = new StringBuilder("|---|---|---|");
        foreach (var (name, _, _) in HostFigures)
        {
            md.Append(Invariant, $" {name}: median | min – max |");
            separator.Append("---|---|");
        }

        md.AppendLine();
        md.AppendLine(separator.ToString());
        foreach (var measure in HostMeasures)
        {
            foreach (var host in new[] { HostKind.MapMcp, HostKind.MapMcpCompat })
            {
                var segments = result.Of(host, measure);
                md.Append(Invariant, $"| {MeasureLabel(result, measure)} | {HostLabel(host)} | {segments.Sum(s => s.Errors)} |");
                foreach (var (_, figure, format) in HostFigures)
                {
                    var values = segments.Select(figure).ToList();
                    md.Append(Invariant, $" {Stats.Median(values).ToString(format, Invariant)} | {Figures.Range(Spread.Of(values), format)} |");
                }

                md.AppendLine();
            }
        }

        md.AppendLine();
        md.AppendLine("MapMcpCompat ÷ MapMcp, round by round (each round's figure divided by the same round's figure of the SDK's host): median (min – max).");
        md.AppendLine();
        md.Append("| measure |");
        separator = new StringBuilder("|---|");
        foreach (var (name, _, _) in HostFigures)
        {
            md.Append(Invariant, $" {name} |");
            separator.Append("---|");
        }

        md.AppendLine();
        md.AppendLine(separator.ToString());
        foreach (var measure in HostMeasures)
        {
            md.Append(Invariant, $"| {MeasureLabel(result, measure)} |");
            foreach (var (_, figure, _) in HostFigures)
            {
                md.Append(Invariant, $" {RatioText(result.Ratios(measure, figure))} |");
            }

            md.AppendLine();
        }

        md.AppendLine();
        var throughput = result.Ratios(HostsBenchmark.Calls, s => s.PerSecond);
        var bytes = result.Ratios(HostsBenchmark.SequentialCalls, s => s.BytesPerOperation);
        var concurrentBytes = result.Ratios(HostsBenchmark.Calls, s => s.BytesPerOperation);
        var limit = result.P99LimitOf(HostsBenchmark.Calls);
        var p99 = Stats.Median(result.Of(HostKind.MapMcpCompat, HostsBenchmark.Calls).Select(s => s.P99Microseconds));
        md.AppendLine(Invariant, $"MapMcpCompat's targets for `tools/call`: throughput and p99 with the {result.Workers} workers, allocations one request at a " +
            $"time (the figure with {result.Workers} workers below it, for comparison). Throughput and allocations are judged round by round: met when every " +
            $"round's ratio meets the target, missed when none does, otherwise within the spread. The p99 is \"no worse\" than the SDK host's when " +
            $"MapMcpCompat's median p99 is at most the SDK host's median p99 widened by that host's own relative spread over the rounds, (max − min) ÷ " +
            $"median: a difference smaller than the SDK host's round-to-round variation is not counted against MapMcpCompat.");
        md.AppendLine();
        md.AppendLine("| target | measured | target is |");
        md.AppendLine("|---|---|---|");
        md.AppendLine(Invariant, $"| throughput ÷ MapMcp's ≥ {Targets.HostThroughputRatio:0.00} | {RatioText(throughput)} | {Verdict.AtLeast(Targets.HostThroughputRatio, Spread.Of(throughput))} |");
        md.AppendLine(Invariant, $"| median p99 ≤ MapMcp's median p99 × (1 + its relative spread) = {limit.Median:N0} µs × (1 + {limit.RelativeSpread:0.000}) = {limit.Microseconds:N0} µs | {p99:N0} µs | {limit.Judge(p99)} |");
        md.AppendLine(Invariant, $"| allocated per request ÷ MapMcp's ≤ {Targets.HostBytesRatio:0.00}, one at a time | {RatioText(bytes)} | {Verdict.AtMost(Targets.HostBytesRatio, Spread.Of(bytes))} |");
        md.AppendLine(Invariant, $"| allocated per request ÷ MapMcp's ≤ {Targets.HostBytesRatio:0.00}, {result.Workers} workers | {RatioText(concurrentBytes)} | {Verdict.AtMost(Targets.HostBytesRatio, Spread.Of(concurrentBytes))} |");
        md.AppendLine();
    }

    internal static string HostLabel(HostKind host) => host switch
    {
        HostKind.MapMcp => "`MapMcp` (the SDK's host)",
        HostKind.MapMcpCompat => "`MapMcpCompat`",
        _ => host.ToString(),
    };

    internal static string MeasureLabel(HostsResult result, string measure) => measure switch
    {
        HostsBenchmark.Calls => string.Create(Invariant, $"`tools/call echo`, {result.Workers} workers"),
        HostsBenchmark.SequentialCalls => "`tools/call echo`, one at a time",
        HostsBenchmark.Opens => string.Create(Invariant, $"session opened, {result.Workers} workers"),
        _ => measure,
    };

    /// <summary>Round-by-round ratios as "× median (min – max)".</summary>
    internal static string RatioText(IReadOnlyList<double> ratios) =>
        string.Create(Invariant, $"× {Stats.Median(ratios):0.000} ({Figures.Range(Spread.Of(ratios), "0.000")})");
}
