using System.Globalization;
using System.Text;

namespace Load;

/// <summary>The report's section on abandoned handshakes against the record limits (<c>bench/Load flood</c>).</summary>
internal static partial class PerformanceReport
{
    /// <summary>A run's limits as the report names them: "MaxSessionRecords 10,000, MaxSessionRecordBytes 4,096", or "no limits".</summary>
    internal static string FloodLimits(FloodRun run) => run.Unlimited
        ? "no limits (`MaxSessionRecords` and `MaxSessionRecordBytes` int.MaxValue)"
        : string.Create(CultureInfo.InvariantCulture, $"`MaxSessionRecords` {run.MaxSessionRecords:N0}, `MaxSessionRecordBytes` {run.MaxSessionRecordBytes:N0}");

    /// <summary>The target of a run with limits: "records ≤ MaxSessionRecords + live (10,020), all 20 live sessions answer".</summary>
    internal static string FloodTarget(FloodRun run) =>
        string.Create(CultureInfo.InvariantCulture, $"records ≤ MaxSessionRecords + live ({run.RecordsAllowed:N0}), all {run.Live} live sessions answer");

    /// <summary>Whether a run with limits met <see cref="FloodTarget"/>: every live session answered, and the records within it.</summary>
    internal static string FloodVerdict(FloodRun run) =>
        run.LiveAnswered == run.Live ? Verdict.AtMost(run.RecordsAllowed, Spread.Exactly(run.RecordsAfter)) : Verdict.Missed;

    private static void WriteFlood(StringBuilder md, FloodResult result)
    {
        var first = result.Runs[0];
        md.AppendLine("## Abandoned handshakes against the record limits (`bench/Load flood`)");
        md.AppendLine();
        md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"`MapMcpCompat` on {result.Sdk}'s `ModelContextProtocol`, in this process, with the records in a real Redis server on 127.0.0.1 ") +
            string.Create(CultureInfo.InvariantCulture, $"(`AddMcpCompatRedis`, started by `eng/perf.sh`): `SessionIdleTimeout` {result.IdleTimeoutSeconds:0.##} s, `SweepInterval` 100 ms, `SessionResumeWindow` {result.WindowSeconds / 86400:0.##} day, ") +
            "`MaxSessions` 1,000,000 (admission is not the bound). Two runs, each on a fresh server and an emptied database (`FLUSHDB`): McpCompat's limits, then none (what McpCompat did before it had them).");
        md.AppendLine();
        md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"In each run, {first.Live} sessions are opened and each calls `echo` twice (their clients came back after the handshake: their records are proven), and the keys ") +
            "`mcpcompat:session:*` (`SCAN`) and `used_memory` (`INFO memory`) are read. Then one `initialize` whose `capabilities` carry an `experimental` object with a string of ~1 MB " +
            string.Create(CultureInfo.InvariantCulture, $"({first.LargeRequestBytes:N0} B request; whether its record is in Redis is read as soon as its answer is), and {first.Handshakes:N0} `initialize` requests from {result.Workers} concurrent clients, ") +
            "each followed by nothing (no `notifications/initialized`, no other request). The driver waits until McpCompat hosts no session (every one evicted, its record written again), " +
            "then until the keys in Redis and the records the instance counts (`mcpcompat.session.records`) hold still for half a second (the deletes the limit sends without waiting have landed), " +
            "and reads both again. Last, each of the live sessions' clients sends `echo`: it must be answered 200 under its own id (resumed from its record).");
        md.AppendLine();
        md.AppendLine("| limits | handshakes answered | records before | records after (the instance counts) | `used_memory` before → after | growth | live sessions answering | ~1 MB record stored | records dropped: over the limit / too large | store failures | Redis commands per handshake | handshakes took | run took | target | target is |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var run in result.Runs)
        {
            var target = run.Unlimited ? "(the comparison run)" : FloodTarget(run);
            var verdict = run.Unlimited ? string.Empty : FloodVerdict(run);
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {FloodLimits(run)} | {run.HandshakesAnswered:N0} of {run.Handshakes:N0} | {run.RecordsBefore:N0} | {run.RecordsAfter:N0} ({run.RecordsCounted:N0}) " +
                $"| {Figures.Mib(run.UsedMemoryBefore):N1} → {Figures.Mib(run.UsedMemoryAfter):N1} MiB | {Figures.Mib(run.UsedMemoryGrowth):+0.0;-0.0} MiB | {run.LiveAnswered}/{run.Live} " +
                $"| {YesNo(run.LargeRecordStored)} (at the end: {YesNo(run.LargeRecordAtEnd)}) | {run.DroppedOverLimit:N0} / {run.DroppedTooLarge:N0} | {run.StoreFailures:N0} " +
                $"| {run.RedisCommands / (double)run.Handshakes:N1} | {run.FloodSeconds:N1} s | {run.Seconds:N1} s | {target} | {verdict} |"));
        }

        md.AppendLine();
        md.AppendLine("Records and keys are counts, exact once the store has settled: a target on them is met or missed outright. `used_memory` is one reading at each end, " +
            "Redis's whole allocation (the live sessions' records and the server's connections included). Redis commands: all that Redis processed from the large handshake to the end's " +
            "readings, McpCompat's writes, reads and deletes and the driver's few reads. Times are wall times on the shared machine of this run (see the load average), not a throughput claim.");
        md.AppendLine();
    }

    private static string YesNo(bool value) => value ? "yes" : "no";
}
