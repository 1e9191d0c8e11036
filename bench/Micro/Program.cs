using System.Globalization;
using System.Text;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using McpCompat.Benchmarks;

// Micro-benchmarks of McpCompat's session bookkeeping (BenchmarkDotNet), plus the managed bytes per tracked session.
// Usage: dotnet run -c Release --project bench/Micro -- [--markdown <file>] [--quick]
//   --markdown  also writes the results as a Markdown section to <file>
//   --quick     fewer iterations (a smoke run; figures are rougher)
var markdownPath = ArgumentAfter(args, "--markdown");
var quick = args.Contains("--quick");
var job = quick ? Job.Dry.WithIterationCount(3).WithWarmupCount(1) : Job.ShortRun.WithIterationCount(10).WithWarmupCount(3);
// In process: no generated project to build, and the figures come from the same Release build as the library.
var config = DefaultConfig.Instance.AddJob(job.WithToolchain(InProcessEmitToolchain.Instance).WithId(quick ? "quick" : "short")).WithOptions(ConfigOptions.DisableLogFile);

var summaries = new[]
{
    BenchmarkRunner.Run<TrackingBenchmarks>(config),
    BenchmarkRunner.Run<MiddlewareBenchmarks>(config),
    BenchmarkRunner.Run<SweepNoneDueBenchmarks>(config),
    BenchmarkRunner.Run<SweepDueBenchmarks>(config),
};

(int Sessions, double Bytes)[] footprint = [(10_000, Footprint.BytesPerTrackedSession(10_000)), (100_000, Footprint.BytesPerTrackedSession(100_000))];

var text = new StringBuilder();
text.AppendLine("| benchmark | tracked sessions | mean | error (99.9%) | allocated per operation |");
text.AppendLine("|---|---|---|---|---|");
foreach (var report in summaries.SelectMany(s => s.Reports))
{
    var statistics = report.ResultStatistics;
    var tracked = report.BenchmarkCase.Parameters["Tracked"];
    var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
    text.AppendLine(CultureInfo.InvariantCulture, $"| {report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo} | {tracked:N0} | {Duration(statistics?.Mean)} | {Duration(statistics?.ConfidenceInterval.Margin)} | {allocated?.ToString("N0", CultureInfo.InvariantCulture) ?? "?"} B |");
}

text.AppendLine();
text.AppendLine("| tracked sessions | McpCompat's managed bytes per tracked session |");
text.AppendLine("|---|---|");
foreach (var (sessions, bytes) in footprint)
{
    text.AppendLine(CultureInfo.InvariantCulture, $"| {sessions:N0} | {bytes:N0} B |");
}

Console.WriteLine();
Console.WriteLine(text);
if (markdownPath is not null)
{
    await File.WriteAllTextAsync(markdownPath, text.ToString());
}

return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;

static string? ArgumentAfter(string[] args, string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

static string Duration(double? nanoseconds) => nanoseconds switch
{
    null => "?",
    < 1_000 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds:N1} ns"),
    < 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1_000:N2} µs"),
    _ => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1_000_000:N2} ms"),
};
