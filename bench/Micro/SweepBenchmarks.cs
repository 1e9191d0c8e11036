using BenchmarkDotNet.Attributes;
using McpCompat.Sessions;
using McpCompat.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace McpCompat.Benchmarks;

/// <summary>
/// A sweep when nothing is due, at 1k, 10k and 100k tracked sessions: McpCompat's sweep (front of the idle list)
/// against a full scan of the same sessions (<see cref="SweepFixture.FullScan"/>: McpCompat's re-implementation of the
/// loop over every session that the SDK's sweeper runs every 5 s, not the SDK's code).
/// </summary>
[MemoryDiagnoser]
public class SweepNoneDueBenchmarks
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);

    private readonly FakeTimeProvider _time = new();
    private SessionTracker _tracker = null!;
    private SessionSweeper _sweeper = null!;

    [Params(1_000, 10_000, 100_000)]
    public int Tracked { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _tracker = new SessionTracker();
        _sweeper = SweepFixture.Sweeper(_tracker, _time, IdleTimeout);
        var start = _time.GetTimestamp();
        SessionFixture.Track(_tracker, new CompletedEvictor(_tracker), SessionFixture.NewIds(Tracked), _ => start);
        _time.Advance(IdleTimeout / 2);
    }

    [GlobalCleanup]
    public void Cleanup() => _sweeper.Dispose();

    [Benchmark(Description = "McpCompat sweep, none due")]
    public int Sweep() => _sweeper.SweepOnceAsync().GetAwaiter().GetResult();

    [Benchmark(Description = "full scan (re-implemented SDK loop), none due")]
    public int FullScan() => SweepFixture.FullScan(_tracker, _time, IdleTimeout).Count;
}

/// <summary>
/// A sweep that ends 10,000 due sessions, among 10k and 100k tracked: McpCompat's whole sweep with an evictor that
/// ends at once (disposal aside), against a full scan that only finds the same sessions (<see cref="SweepFixture.FullScan"/>,
/// re-implemented after the SDK's sweeper, not the SDK's code).
/// </summary>
[MemoryDiagnoser]
public class SweepDueBenchmarks
{
    private const int Due = 10_000;
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);

    private FakeTimeProvider _time = null!;
    private SessionTracker _tracker = null!;
    private SessionSweeper _sweeper = null!;
    private string[] _ids = null!;

    [Params(10_000, 100_000)]
    public int Tracked { get; set; }

    [GlobalSetup]
    public void Setup() => _ids = SessionFixture.NewIds(Tracked);

    [IterationSetup]
    public void FillTracker()
    {
        _time = new FakeTimeProvider();
        _tracker = new SessionTracker();
        _sweeper = SweepFixture.Sweeper(_tracker, _time, IdleTimeout);
        var start = _time.GetTimestamp();
        var later = start + SessionSweeper.ToTimestampUnits(IdleTimeout / 2, _time.TimestampFrequency);
        SessionFixture.Track(_tracker, new CompletedEvictor(_tracker), _ids, i => i < Due ? start : later);
        _time.Advance(IdleTimeout);
    }

    [IterationCleanup]
    public void Cleanup() => _sweeper.Dispose();

    [Benchmark(Description = "McpCompat sweep, 10,000 due")]
    [InvocationCount(1, 1)]
    public int Sweep()
    {
        var ended = _sweeper.SweepOnceAsync().GetAwaiter().GetResult();
        return ended == Due ? ended : throw new InvalidOperationException($"{ended} sessions ended, {Due} expected.");
    }

    [Benchmark(Description = "full scan (re-implemented SDK loop), 10,000 due (found, not ended)")]
    [InvocationCount(1, 1)]
    public int FullScan() => SweepFixture.FullScan(_tracker, _time, IdleTimeout).Count;
}

internal static class SweepFixture
{
    // The sweeper's metrics as an application has them: McpCompat's services, resolved once.
    private static readonly McpCompatMetrics Metrics = new ServiceCollection().AddLogging().AddMcpServer().AddMcpCompat().Services
        .BuildServiceProvider().GetRequiredService<McpCompatMetrics>();

    public static SessionSweeper Sweeper(SessionTracker tracker, TimeProvider time, TimeSpan idleTimeout) =>
        new(tracker, MsOptions.Create(new McpCompatOptions { SessionIdleTimeout = idleTimeout, MaxIdleSessions = int.MaxValue }), time, NullLogger<SessionSweeper>.Instance, Metrics,
            new EvictionReport(Metrics, time, NullLogger<SessionSweeper>.Instance));

    /// <summary>
    /// Visits every tracked session and collects the idle ones past the timeout: McpCompat's re-implementation of what
    /// the SDK's sweeper does every 5 s (a loop over all its sessions), run over McpCompat's tracker: neither the SDK's
    /// code nor its session table.
    /// </summary>
    public static List<TrackedSession> FullScan(SessionTracker tracker, TimeProvider time, TimeSpan idleTimeout)
    {
        var now = time.GetTimestamp();
        var due = new List<TrackedSession>();
        foreach (var session in tracker.Sessions)
        {
            if (session.IsLive && session.InFlight == 0 && time.GetElapsedTime(session.LastActivity, now) >= idleTimeout)
            {
                due.Add(session);
            }
        }

        return due;
    }
}
