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
internal sealed class SessionResumption
{
    public SessionResumption(IOptions<McpCompatOptions> options, IServiceProvider services, ILoggerFactory loggerFactory)
    {
        var window = options.Value.SessionResumeWindow;

        // Without a cache the host does not start (the options validator says why); nothing resumes meanwhile.
        if (window > TimeSpan.Zero && services.GetService<IDistributedCache>() is { } cache)
        {
            Records = new SessionRecordStore(cache, window, loggerFactory.CreateLogger<SessionRecordStore>());
        }
    }

    /// <summary>Gets the records sessions resume from, or <see langword="null"/> when sessions do not resume.</summary>
    public SessionRecordStore? Records { get; }
}
