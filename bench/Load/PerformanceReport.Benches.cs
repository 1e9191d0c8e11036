using System.Text;
using McpCompat.Benchmarks;

namespace Load;

/// <summary>The report's sections for the programs outside bench/Load: bench/Churn and bench/Micro.</summary>
internal static partial class PerformanceReport
{
    /// <summary>The bench/Churn table, with the command that produced it.</summary>
    internal static void WriteChurn(StringBuilder md, IReadOnlyList<ChurnResult> churns)
    {
        var first = churns[0];
        md.AppendLine(Invariant, $"`dotnet run -c Release --project bench/Churn -- {first.Sessions} <Mode> {first.IdleTimeoutSeconds:0.##}` opens {first.Sessions:N0} sessions " +
            $"against an in-process server on 127.0.0.1 (one process per mode), abandons them, and reads the managed heap after forced compacting " +
            $"full GCs: at baseline, with every session open, and {first.WaitSeconds:0.##} s after the last open (the idle timeout and the SDK's 5 s sweep past). " +
            $"`Off` is no McpCompat: the SDK's own defaults, whose idle timeout is far longer than the run.");
        md.AppendLine();
        md.AppendLine("| mode | idle timeout | baseline MiB | sessions open | MiB with them open | KiB per session | MiB after the wait | ids still answering |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var churn in churns)
        {
            var (label, timeout) = churn.Mode switch
            {
                "Off" => ("no McpCompat", "the SDK's default"),
                "Fallback" => ("`Fallback` (McpCompat's sweeper)", string.Create(Invariant, $"{churn.IdleTimeoutSeconds:0.##} s")),
                "Native" => ("`Native` (the SDK's sweeper)", string.Create(Invariant, $"{churn.IdleTimeoutSeconds:0.##} s")),
                _ => ($"`{churn.Mode}`", string.Create(Invariant, $"{churn.IdleTimeoutSeconds:0.##} s")),
            };
            md.AppendLine(Invariant,
                $"| {label} | {timeout} | {Figures.Mib(churn.BaselineBytes):0.00} | {churn.Sessions:N0} | {Figures.Mib(churn.OpenBytes):0.00} " +
                $"| {(churn.OpenBytes - churn.BaselineBytes) / 1024.0 / churn.Sessions:0.0} | {Figures.Mib(churn.AfterBytes):0.00} | {churn.StillAnswering:N0} |");
        }

        md.AppendLine();
    }

    private static void WriteMicro(StringBuilder md, MicroResults micro)
    {
        md.AppendLine("## Micro-benchmarks");
        md.AppendLine();
        md.AppendLine(Invariant, $"BenchmarkDotNet (`bench/Micro`, in process, job `{micro.Job}`; per case, warm-up iterations: {micro.WarmupCount}, measured iterations: {micro.IterationCount}). " +
            $"Error is half the 99.9 % confidence interval of the mean, as BenchmarkDotNet reports it; the summary uses mean ± error as a figure's spread. " +
            $"The middleware rows time the fallback path's tracking middleware around a request that does nothing (`DefaultHttpContext`, in process): " +
            $"what it adds to each request, which the loopback p99 above is too noisy to resolve. The sweep rows end sessions with an evictor that " +
            $"ends at once (disposal aside). The full-scan rows are McpCompat's re-implementation of the SDK's sweep, a loop over every session like " +
            $"the one the SDK's sweeper runs every 5 s, timed over McpCompat's tracker: not the SDK's code.");
        md.AppendLine();
        md.AppendLine("| benchmark | tracked sessions | mean | error (99.9 %) | StdDev | min – max | allocated per operation |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var c in micro.Cases)
        {
            md.AppendLine(Invariant,
                $"| {c.Description} | {c.Tracked:N0} | {Figures.Duration(c.MeanNanoseconds)} | {Figures.Duration(c.ErrorNanoseconds)} | {Figures.Duration(c.StdDevNanoseconds)} " +
                $"| {Figures.Duration(c.MinNanoseconds)} – {Figures.Duration(c.MaxNanoseconds)} | {c.AllocatedBytes?.ToString("N0", Invariant) ?? "?"} B |");
        }

        md.AppendLine();
        md.AppendLine("| tracked sessions | McpCompat's managed bytes per tracked session |");
        md.AppendLine("|---|---|");
        foreach (var reading in micro.Footprint)
        {
            md.AppendLine(Invariant, $"| {reading.Tracked:N0} | {reading.BytesPerSession:N0} B |");
        }

        md.AppendLine();
    }
}
