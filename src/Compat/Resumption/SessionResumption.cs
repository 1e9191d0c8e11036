using McpCompat.Telemetry;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpCompat.Resumption;

/// <summary>
/// Whether evicted sessions resume (<see cref="McpCompatOptions.SessionResumeWindow"/> set), and the store of their
/// records over the application's <see cref="IDistributedCache"/>: one for every path McpCompat runs.
/// </summary>
/// <remarks>
/// Made on first use, not when the service is: the SDK's <c>MapMcp</c> builds this service, and settings are read only
/// once the host has validated them at start (an invalid one stops the host with its message, not a mapping call).
/// </remarks>
internal sealed class SessionResumption : IDisposable
{
    private readonly Lazy<SessionRecordStore?> _records;

    public SessionResumption(IOptions<McpCompatOptions> options, IServiceProvider services, McpCompatMetrics metrics, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        _records = new(() => Create(options.Value, services, metrics, timeProvider, loggerFactory));
    }

    /// <summary>Gets the records sessions resume from, or <see langword="null"/> when sessions do not resume.</summary>
    public SessionRecordStore? Records => _records.Value;

    public void Dispose()
    {
        if (_records.IsValueCreated)
        {
            _records.Value?.Monitor.Dispose();
        }
    }

    private static SessionRecordStore? Create(McpCompatOptions settings, IServiceProvider services, McpCompatMetrics metrics, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        // Without a cache the host does not start (the options validator says why); nothing resumes meanwhile.
        if (settings.SessionResumeWindow <= TimeSpan.Zero || services.GetService<IDistributedCache>() is not { } cache)
        {
            return null;
        }

        var logger = loggerFactory.CreateLogger<SessionRecordStore>();
        var records = new SessionRecordStore(cache, SessionRecordSettings.From(settings), new SessionStoreMonitor(timeProvider, metrics, logger), timeProvider, logger);
        metrics.ObserveRecords(() => records.Index.Count);
        return records;
    }
}
