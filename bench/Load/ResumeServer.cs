using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Diagnostics;
using McpCompat;
using Microsoft.Extensions.Caching.Distributed;

namespace Load;

/// <summary>
/// A <c>MapMcpCompat</c> server with resumable sessions, in this process, and what its instruments say: live sessions,
/// the records it counts, the records it dropped, the store's failures.
/// </summary>
internal sealed class ResumeServer : IAsyncDisposable
{
    private const string SessionsLive = "mcpcompat.sessions.live";
    private const string Records = "mcpcompat.session.records";
    private const string RecordsDropped = "mcpcompat.session.records.dropped";
    private const string StoreFailures = "mcpcompat.session_store.failures";
    private const string DropReason = "mcpcompat.session.record.drop_reason";

    private readonly WebApplication _app;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _dropped = new(StringComparer.Ordinal);
    private long _live;
    private long _records;
    private long _storeFailures;
    private int _disposed;

    private ResumeServer(WebApplication app)
    {
        _app = app;
        Endpoint = new Uri(app.Urls.Single() + "/mcp");
        Cache = app.Services.GetRequiredService<IDistributedCache>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == McpCompatTelemetry.MeterName && instrument.Name is SessionsLive or Records or RecordsDropped or StoreFailures)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            switch (instrument.Name)
            {
                case SessionsLive:
                    Volatile.Write(ref _live, value);
                    break;
                case Records:
                    Volatile.Write(ref _records, value);
                    break;
                case StoreFailures:
                    Interlocked.Add(ref _storeFailures, value);
                    break;
                case RecordsDropped:
                    var reason = "other";
                    foreach (var tag in tags)
                    {
                        if (tag.Key == DropReason && tag.Value is string name)
                        {
                            reason = name;
                        }
                    }

                    _dropped.AddOrUpdate(reason, value, (_, sum) => sum + value);
                    break;
            }
        });
        _listener.Start();
    }

    public Uri Endpoint { get; }

    public IDistributedCache Cache { get; }

    /// <summary>Gets the records the instance counts against <c>MaxSessionRecords</c> (<c>mcpcompat.session.records</c>).</summary>
    public long CountedRecords
    {
        get
        {
            _listener.RecordObservableInstruments();
            return Volatile.Read(ref _records);
        }
    }

    /// <summary>Gets the calls on the store that failed or timed out so far (<c>mcpcompat.session_store.failures</c>).</summary>
    public long FailedStoreCalls => Volatile.Read(ref _storeFailures);

    /// <summary>The records dropped so far for <paramref name="reason"/> (<c>too_large</c>, <c>max_records</c>, <c>lost</c>).</summary>
    public long Dropped(string reason) => _dropped.GetValueOrDefault(reason);

    /// <param name="redis">A Redis configuration string: the records go there (McpCompat.StackExchangeRedis); the in-memory cache when null.</param>
    /// <param name="idle">SessionIdleTimeout.</param>
    /// <param name="window">SessionResumeWindow.</param>
    /// <param name="maxRecords">MaxSessionRecords.</param>
    /// <param name="maxRecordBytes">MaxSessionRecordBytes.</param>
    public static async Task<ResumeServer> StartAsync(string? redis, TimeSpan idle, TimeSpan window, int maxRecords, int maxRecordBytes)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var mcp = builder.Services.AddMcpServer().WithTools<LoadTools>().AddMcpCompat(o =>
        {
            o.SessionIdleTimeout = idle;
            o.SweepInterval = TimeSpan.FromMilliseconds(100);
            o.SessionResumeWindow = window;
            o.MaxSessions = 1_000_000;
            o.MaxIdleSessions = 1_000_000;
            o.MaxSessionRecords = maxRecords;
            o.MaxSessionRecordBytes = maxRecordBytes;
        });
        if (redis is null)
        {
            builder.Services.AddDistributedMemoryCache(o => o.ExpirationScanFrequency = TimeSpan.FromSeconds(1));
        }
        else
        {
            mcp.AddMcpCompatRedis(redis);
        }

        var app = builder.Build();
        app.MapMcpCompat("/mcp");
        await app.StartAsync();
        return new ResumeServer(app);
    }

    /// <summary>Waits (bounded) until McpCompat hosts no session: every one evicted, its record kept.</summary>
    public async Task WaitUntilEvictedAsync()
    {
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 120;
        while (true)
        {
            _listener.RecordObservableInstruments();
            if (Volatile.Read(ref _live) == 0)
            {
                return;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{Volatile.Read(ref _live)} sessions still live after 120 s.");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _listener.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
