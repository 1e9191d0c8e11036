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
internal sealed class SessionResumption : IDisposable
{
    public SessionResumption(IOptions<McpCompatOptions> options, IServiceProvider services, McpCompatMetrics metrics, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        var settings = options.Value;

        // Without a cache the host does not start (the options validator says why); nothing resumes meanwhile.
        if (settings.SessionResumeWindow > TimeSpan.Zero && services.GetService<IDistributedCache>() is { } cache)
        {
            var logger = loggerFactory.CreateLogger<SessionRecordStore>();
            var records = new SessionRecordStore(cache, SessionRecordSettings.From(settings), new SessionStoreMonitor(timeProvider, metrics, logger), timeProvider, logger);
            Records = records;
            metrics.ObserveRecords(() => records.Index.Count);
        }
    }

    /// <summary>Gets the records sessions resume from, or <see langword="null"/> when sessions do not resume.</summary>
    public SessionRecordStore? Records { get; }

    public void Dispose() => Records?.Monitor.Dispose();
}
