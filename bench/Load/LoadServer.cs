using System.Collections.Concurrent;
using System.Diagnostics;
using McpCompat;
namespace Load;

/// <summary>
/// A stateful MCP server like samples/CompatServer, hosted in this process by Kestrel on 127.0.0.1 (ephemeral port).
/// Each session's run is wrapped by the SDK's <c>RunSessionHandler</c>: its task ends when the SDK disposes the session
/// (DELETE, its own sweeper, or McpCompat's eviction, which is a DELETE), which is the "gone" signal.
/// </summary>
internal sealed class LoadServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, long>? _ends;
    private long _started;
    private long _ended;

    private LoadServer(WebApplication app, ConcurrentDictionary<string, long>? ends, Uri endpoint)
    {
        _app = app;
        _ends = ends;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    /// <summary>Gets the number of sessions whose run has started and not yet ended.</summary>
    public long LiveSessions => Interlocked.Read(ref _started) - Interlocked.Read(ref _ended);

    /// <summary>Gets the number of sessions whose run has ended.</summary>
    public long EndedSessions => Interlocked.Read(ref _ended);

    /// <summary>Gets the <see cref="Stopwatch"/> timestamp at which the session's run ended, if it has.</summary>
    public bool TryGetEnd(string sessionId, out long timestamp)
    {
        timestamp = 0;
        return _ends is not null && _ends.TryGetValue(sessionId, out timestamp);
    }

    /// <param name="mode">Who reclaims idle sessions.</param>
    /// <param name="idleTimeout">McpCompat's <c>SessionIdleTimeout</c> (Fallback, Native); ignored otherwise.</param>
    /// <param name="recordEnds">Keep each session's end time by id (costs memory: off for the soak).</param>
    /// <param name="configure">More McpCompat settings (Fallback, Native).</param>
    public static async Task<LoadServer> StartAsync(ServerMode mode, TimeSpan idleTimeout, bool recordEnds, Action<McpCompatOptions>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();

        var ends = recordEnds ? new ConcurrentDictionary<string, long>(StringComparer.Ordinal) : null;
        LoadServer? self = null;

        var mcp = builder.Services
            .AddMcpServer()
            .WithHttpTransport(o =>
            {
                o.Stateless = false;
#pragma warning disable MCPEXP002 // RunSessionHandler is experimental: it is this driver's only in-process view of a session's end.
                o.RunSessionHandler = async (_, server, cancellationToken) =>
                {
                    Interlocked.Increment(ref self!._started);
                    try
                    {
                        await server.RunAsync(cancellationToken);
                    }
                    finally
                    {
                        var now = Stopwatch.GetTimestamp();
                        if (ends is not null && server.SessionId is { } id)
                        {
                            ends[id] = now;
                        }

                        Interlocked.Increment(ref self._ended);
                    }
                };
#pragma warning restore MCPEXP002
                if (mode == ServerMode.Unbounded)
                {
#pragma warning disable MCP9006 // The SDK's stateful options are obsolete but still in force in 2.x.
                    o.IdleTimeout = Timeout.InfiniteTimeSpan;
                    o.MaxIdleSessionCount = int.MaxValue;
#pragma warning restore MCP9006
                }
            })
            .WithTools<LoadTools>();

        if (mode is ServerMode.Fallback or ServerMode.Native)
        {
            mcp.AddMcpCompat(o =>
            {
                o.Mode = mode == ServerMode.Fallback ? McpCompatMode.Fallback : McpCompatMode.Native;
                o.SessionIdleTimeout = idleTimeout;
                configure?.Invoke(o);
            });
        }

        var app = builder.Build();
        app.MapMcp("/mcp");
        await app.StartAsync();
        self = new LoadServer(app, ends, new Uri(app.Urls.Single() + "/mcp"));
        return self;
    }

    /// <summary>Stops the host, waiting at most <paramref name="limit"/>; returns how long it took, or null past the limit.</summary>
    public async Task<TimeSpan?> TryStopAsync(TimeSpan limit)
    {
        var started = Stopwatch.GetTimestamp();
        using var timeout = new CancellationTokenSource(limit);
        var stop = _app.StopAsync(timeout.Token);
        var finished = await Task.WhenAny(stop, Task.Delay(limit + TimeSpan.FromSeconds(1), CancellationToken.None));
        return finished == stop && stop.IsCompletedSuccessfully ? Stopwatch.GetElapsedTime(started) : null;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
