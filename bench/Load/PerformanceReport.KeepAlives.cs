using System.Text;

namespace Load;

/// <summary>The keep-alive sections of the report: zombie churn on the SDK's host, and the cost of many quiet streams.</summary>
internal static partial class PerformanceReport
{
    private static void WriteZombies(StringBuilder md, IReadOnlyList<ZombieResult> runs, string svgLink)
    {
        md.AppendLine("## Zombie churn on the SDK's host (keep-alives)");
        md.AppendLine();
        var first = runs[0];
        md.AppendLine(Invariant, $"Clients that open a session and its GET stream on the SDK's own host (`MapMcp`, stateful; McpCompat on the native path, the SDK's sweeper in charge) and then vanish behind a dead link, {first.Rate:0.##} per second for {first.Seconds / 60:0.#} minutes. ");
        md.AppendLine("A vanished client's socket stays open and unread, and two blackhole routing rules on its local port drop every packet either way: nothing the server sends is acknowledged and nothing closes the connection. ");
        md.AppendLine(Invariant, $"The runs share a network namespace whose `net.ipv4.tcp_retries2` is {first.TcpRetries2} (the kernel gives up on an unacknowledged connection after seconds rather than the ~15 minutes of Linux's default 15), and ran side by side. ");
        md.AppendLine(Invariant, $"Idle timeout {first.IdleTimeoutSeconds:0} s. Live sessions: session runs started and not ended. RSS: the whole process (server and the vanished clients' sockets); managed heap after a forced full GC.");
        md.AppendLine();
        md.AppendLine("| keep-alive | zombies opened | failed | live at the end | most live | RSS start → end MiB | managed start → end MiB |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var run in runs)
        {
            md.AppendLine(Invariant, $"| {run.KeepAlive} | {run.Opened:N0} | {run.Failures:N0} | {run.LiveAtEnd:N0} | {run.PeakLive:N0} | {Figures.Mib(run.RssStartBytes):0.0} → {Figures.Mib(run.RssEndBytes):0.0} | {Figures.Mib(run.ManagedStartBytes):0.0} → {Figures.Mib(run.ManagedEndBytes):0.0} |");
        }

        md.AppendLine();
        md.AppendLine(Invariant, $"![Zombie churn: live sessions and RSS over time]({svgLink})");
        md.AppendLine();
    }

    private static void WriteStreamCost(StringBuilder md, IReadOnlyList<StreamCostResult> runs)
    {
        md.AppendLine("## Quiet GET streams at scale (keep-alives)");
        md.AppendLine();
        md.AppendLine("Sessions on the SDK's own host (McpCompat native), each with a GET stream open and quiet; the clients, in a process of their own, read nothing, so what the server sends waits in their receive buffers. ");
        md.AppendLine("Over the window: the server process's CPU time, the process's active timers (`Timer.ActiveCount`, every timer in the process: Kestrel's, the SDK's, McpCompat's), and the bytes the server sent on the streams (HTTP/1.1 chunk framing included). One run per setting, each a process of its own.");
        md.AppendLine();
        md.AppendLine("| keep-alive | streams | window s | server CPU s | CPU, % of one core | active timers | bytes sent | bytes per stream per minute | managed MiB | RSS MiB | opening took s |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var run in runs)
        {
            var perStreamMinute = MeasuredSummary.PerStreamMinute(run);
            md.AppendLine(Invariant, $"| {run.KeepAlive} | {run.Streams:N0} | {run.WindowSeconds:0.0} | {run.CpuSeconds:0.000} | {run.CpuSeconds / run.WindowSeconds * 100:0.00} % | {run.ActiveTimers} | {run.UnreadBytes:N0} | {perStreamMinute:0.0} | {Figures.Mib(run.ManagedBytes):0.0} | {Figures.Mib(run.RssBytes):0.0} | {run.OpenSeconds:0.0} |");
        }

        md.AppendLine();
    }
}
