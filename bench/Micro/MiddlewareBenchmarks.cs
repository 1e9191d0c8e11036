using BenchmarkDotNet.Attributes;
using McpCompat.MapMcp;
using McpCompat.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace McpCompat.Benchmarks;

/// <summary>
/// The fallback path's tracking middleware around a request that does nothing, against the bare request: what the
/// middleware adds to each request in front of the SDK's endpoint, free of network noise.
/// </summary>
[MemoryDiagnoser]
public class MiddlewareBenchmarks
{
    private static readonly RequestDelegate Nothing = static _ => Task.CompletedTask;

    private ServiceProvider _services = null!;
    private SessionTrackingMiddleware _middleware = null!;
    private DefaultHttpContext _known = null!;
    private DefaultHttpContext _unknown = null!;
    private DefaultHttpContext _initialize = null!;

    [Params(10_000)]
    public int Tracked { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMcpServer().AddMcpCompat(o => o.Mode = McpCompatMode.Fallback);
        _services = services.BuildServiceProvider();
        _middleware = ActivatorUtilities.CreateInstance<SessionTrackingMiddleware>(_services, Nothing);

        var tracker = _services.GetRequiredService<SessionTracker>();
        var evictor = _services.GetRequiredService<DeleteEndpointEvictor>();
        var ids = SessionFixture.NewIds(Tracked);
        var now = TimeProvider.System.GetTimestamp();
        SessionFixture.Track(tracker, evictor, ids, _ => now);

        _known = Request(HttpMethods.Post, ids[Tracked / 2]);
        _unknown = Request(HttpMethods.Post, "not-tracked");
        _initialize = Request(HttpMethods.Post, sessionId: null);
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Baseline = true, Description = "request, no middleware")]
    public Task Bare() => Nothing(_known);

    [Benchmark(Description = "middleware: request of a tracked session")]
    public Task KnownSession() => _middleware.InvokeAsync(_known);

    [Benchmark(Description = "middleware: request with an id it does not track")]
    public Task UnknownSession() => _middleware.InvokeAsync(_unknown);

    [Benchmark(Description = "middleware: POST without a session id (initialize)")]
    public Task NoSessionId() => _middleware.InvokeAsync(_initialize);

    private static DefaultHttpContext Request(string method, string? sessionId)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        if (sessionId is not null)
        {
            context.Request.Headers["Mcp-Session-Id"] = sessionId;
        }

        return context;
    }
}
