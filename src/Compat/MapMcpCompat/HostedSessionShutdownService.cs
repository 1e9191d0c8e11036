using McpCompat.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// Ends every session <c>MapMcpCompat</c> hosts when the application stops: transports, servers and run tasks.
/// Registered before the sweeper's service, so it stops after it (hosted services stop in reverse order).
/// </summary>
/// <remarks>
/// The web server stops before this service does and waits, up to the host's shutdown timeout, for the requests in
/// flight; when that timeout runs out it resets their connections, and a call cut that way leaves its client nothing to
/// read. So the calls still running when the application starts stopping get the shutdown timeout less a margin
/// (<see cref="Grace"/>) to finish; then their sessions end, which answers each of them cleanly (404, or
/// <c>-32001</c> as the last event of an answer already under way) while the server still waits for them.
/// </remarks>
internal sealed class HostedSessionShutdownService(
    HostedSessionStore store,
    IHostApplicationLifetime lifetime,
    IOptions<HostOptions> hostOptions,
    TimeProvider timeProvider,
    ILogger<HostedSessionShutdownService> logger) : IHostedService, IDisposable
{
    /// <summary>The most the grace keeps back from the host's shutdown timeout to answer the calls it ends.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromSeconds(2);

    private readonly object _lock = new();
    private CancellationTokenRegistration _stopping;
    private ITimer? _graceEnd;
    private bool _stopped;

    /// <summary>
    /// How long calls in flight at shutdown may run before their sessions end: the host's shutdown timeout less
    /// <see cref="Margin"/> or a fifth of it, whichever is less; <see langword="null"/> when the host waits forever.
    /// </summary>
    public static TimeSpan? Grace(TimeSpan shutdownTimeout)
    {
        if (shutdownTimeout == Timeout.InfiniteTimeSpan)
        {
            return null;
        }

        if (shutdownTimeout <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        var margin = shutdownTimeout / 5 < Margin ? shutdownTimeout / 5 : Margin;
        return shutdownTimeout - margin;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = lifetime.ApplicationStopping.Register(static state => ((HostedSessionShutdownService)state!).OnStopping(), this);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _stopped = true;
            _graceEnd?.Dispose();
        }

        return store.EndAllAsync();
    }

    public void Dispose()
    {
        _stopping.Dispose();
        lock (_lock)
        {
            _stopped = true;
            _graceEnd?.Dispose();
        }
    }

    private void OnStopping()
    {
        var shutdownTimeout = hostOptions.Value.ShutdownTimeout;
        if (Grace(shutdownTimeout) is not { } grace)
        {
            return;
        }

        var (calls, sessions) = store.InFlight();
        lock (_lock)
        {
            if (_stopped || _graceEnd is not null)
            {
                return;
            }

            _graceEnd = timeProvider.CreateTimer(static state => ((HostedSessionShutdownService)state!).OnGraceEnd(), this, grace, Timeout.InfiniteTimeSpan);
        }

        if (calls > 0)
        {
            Log.ShutdownGrace(logger, calls, sessions, grace, shutdownTimeout);
        }
    }

    private void OnGraceEnd()
    {
        var (calls, sessions) = store.InFlight();
        if (calls == 0)
        {
            return;
        }

        Log.ShutdownEndingCalls(logger, calls, sessions);
        _ = store.EndAllAsync();
    }
}
