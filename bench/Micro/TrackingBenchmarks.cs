using BenchmarkDotNet.Attributes;
using McpCompat.Sessions;
namespace McpCompat.Benchmarks;

/// <summary>
/// What tracking adds to each request of a known session: find it by id, count the request in, count it out
/// (the session leaves the idle list and goes back to its end).
/// </summary>
[MemoryDiagnoser]
public class TrackingBenchmarks
{
    private SessionTracker _tracker = null!;
    private string[] _ids = null!;
    private int _next;

    [Params(10_000)]
    public int Tracked { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _tracker = new SessionTracker();
        _ids = SessionFixture.NewIds(Tracked);
        var now = TimeProvider.System.GetTimestamp();
        SessionFixture.Track(_tracker, new CompletedEvictor(_tracker), _ids, _ => now);
    }

    [Benchmark(Description = "request: find, count in, count out")]
    public bool FindEnterExit()
    {
        var session = _tracker.Find(_ids[_next++ % _ids.Length])!;
        var entered = session.TryEnter();
        session.Exit(TimeProvider.System.GetTimestamp());
        return entered;
    }
}
