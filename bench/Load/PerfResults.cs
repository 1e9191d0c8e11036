using McpCompat.Benchmarks;

namespace Load;

/// <summary>What one run of eng/perf.sh measured: the JSON files of its output folder. What the run did not produce is null or empty.</summary>
/// <param name="Run">The machine and the commands (<c>run.json</c>, written by eng/perf.sh).</param>
/// <param name="Sdk">The SDK the drivers ran on (<c>sdk.json</c>).</param>
/// <param name="Overhead">Request overhead (<c>overhead.json</c>).</param>
/// <param name="Hosts">MapMcpCompat against the SDK's MapMcp (<c>hosts.json</c>).</param>
/// <param name="Lateness">Eviction lateness (<c>lateness.json</c>).</param>
/// <param name="Soaks">Churn soaks (<c>soak-*.json</c>), in file-name order.</param>
/// <param name="Churns">bench/Churn runs (<c>churn-*.json</c>), in file-name order.</param>
/// <param name="Micro">bench/Micro (<c>micro.json</c>).</param>
/// <param name="Zombies">Zombie churn runs (<c>zombies-*.json</c>), in file-name order.</param>
/// <param name="Streams">Quiet-stream cost runs (<c>streams-*.json</c>), in file-name order.</param>
/// <param name="Resumes">Resumable-session runs (<c>resume-*.json</c>), one per store, in file-name order.</param>
/// <param name="Flood">Abandoned handshakes against the record limit, with Redis (<c>flood.json</c>).</param>
internal sealed record PerfResults(
    RunInfo? Run,
    SdkUnderTest? Sdk,
    OverheadResult? Overhead,
    HostsResult? Hosts,
    LatenessResult? Lateness,
    IReadOnlyList<SoakResult> Soaks,
    IReadOnlyList<ChurnResult> Churns,
    MicroResults? Micro,
    IReadOnlyList<ZombieResult> Zombies,
    IReadOnlyList<StreamCostResult> Streams,
    IReadOnlyList<ResumeResult> Resumes,
    FloodResult? Flood)
{
    public static PerfResults Read(string dir) => new(
        One<RunInfo>(dir, "run.json"),
        One<SdkUnderTest>(dir, "sdk.json"),
        One<OverheadResult>(dir, "overhead.json"),
        One<HostsResult>(dir, "hosts.json"),
        One<LatenessResult>(dir, "lateness.json"),
        All<SoakResult>(dir, "soak-*.json"),
        All<ChurnResult>(dir, "churn-*.json"),
        One<MicroResults>(dir, "micro.json"),
        All<ZombieResult>(dir, "zombies-*.json"),
        All<StreamCostResult>(dir, "streams-*.json"),
        All<ResumeResult>(dir, "resume-*.json"),
        One<FloodResult>(dir, "flood.json"));

    private static T? One<T>(string dir, string name)
        where T : class
    {
        var path = Path.Combine(dir, name);
        return File.Exists(path) ? ResultJson.Read<T>(path) : null;
    }

    private static List<T> All<T>(string dir, string pattern) =>
        Directory.GetFiles(dir, pattern).Order(StringComparer.Ordinal).Select(ResultJson.Read<T>).ToList();
}
