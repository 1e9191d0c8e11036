using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using McpCompat.Benchmarks;

// Micro-benchmarks of McpCompat's session bookkeeping (BenchmarkDotNet), plus the managed bytes per tracked session.
// Usage: dotnet run -c Release --project bench/Micro -- [--json <file>] [--quick]
//   --json   also writes the results as JSON to <file> (bench/Load's report turns them into docs/performance.md)
//   --quick  fewer iterations (a smoke run; figures are rougher)
var jsonPath = ArgumentAfter(args, "--json");
var quick = args.Contains("--quick");
var (warmups, iterations) = quick ? (1, 3) : (3, 10);
var job = (quick ? Job.Dry : Job.ShortRun).WithIterationCount(iterations).WithWarmupCount(warmups).WithId(quick ? "quick" : "short");
// In process: no generated project to build, and the figures come from the same Release build as the library.
var config = DefaultConfig.Instance.AddJob(job.WithToolchain(InProcessEmitToolchain.Instance)).WithOptions(ConfigOptions.DisableLogFile);

var summaries = new[]
{
    BenchmarkRunner.Run<TrackingBenchmarks>(config),
    BenchmarkRunner.Run<MiddlewareBenchmarks>(config),
    BenchmarkRunner.Run<SweepNoneDueBenchmarks>(config),
    BenchmarkRunner.Run<SweepDueBenchmarks>(config),
};

FootprintReading[] footprint = [new(10_000, Footprint.BytesPerTrackedSession(10_000)), new(100_000, Footprint.BytesPerTrackedSession(100_000))];
foreach (var reading in footprint)
{
    Console.WriteLine($"McpCompat's managed bytes per tracked session, {reading.Tracked} tracked: {reading.BytesPerSession:0}");
}

if (jsonPath is not null)
{
    var cases = summaries.SelectMany(s => s.Reports).Select(report =>
    {
        var statistics = report.ResultStatistics;
        var descriptor = report.BenchmarkCase.Descriptor;
        return new MicroCase(
            descriptor.Type.Name,
            descriptor.WorkloadMethod.Name,
            descriptor.WorkloadMethodDisplayInfo.Trim('\''),
            (int)report.BenchmarkCase.Parameters["Tracked"],
            statistics?.Mean ?? double.NaN,
            statistics?.ConfidenceInterval.Margin ?? double.NaN,
            statistics?.StandardDeviation ?? double.NaN,
            statistics?.Min ?? double.NaN,
            statistics?.Max ?? double.NaN,
            statistics?.N ?? 0,
            report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase));
    }).ToList();
    await ResultJson.WriteAsync(jsonPath, new MicroResults(job.Id, warmups, iterations, cases, footprint));
}

return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;

static string? ArgumentAfter(string[] args, string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
