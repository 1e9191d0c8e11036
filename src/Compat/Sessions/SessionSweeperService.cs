using McpCompat.Decision;
using McpCompat.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpCompat.Sessions;

/// <summary>
/// Runs <see cref="SessionSweeper.SweepOnceAsync"/> when the longest-idle session is due, and at least every
/// <see cref="McpCompatOptions.SweepInterval"/>, while McpCompat's own path is in charge or it hosts sessions
/// (<c>MapMcpCompat</c>).
/// </summary>
/// <remarks>
/// A hosted service of its own rather than a <see cref="BackgroundService"/>: the host reports a background service whose
/// loop was cancelled before it ran (stopped right after it started) as having failed, and stops the application.
/// </remarks>
internal sealed class SessionSweeperService(
    McpCompatRuntime runtime,
    SessionSweeper sweeper,
    IOptions<McpCompatOptions> options,
    TimeProvider timeProvider,
    ILogger<SessionSweeperService> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        runtime.LogDecisionOnce();
        if (!runtime.SweeperNeeded)
        {
            return Task.CompletedTask;
        }

        // Counted as alive from here: the loop itself starts on the thread pool.
        sweeper.Beat();
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        await _loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var longest = options.Value.SweepInterval;
        try
        {
            // Sleeps until the longest-idle session is due (at most one sweep interval), so a session is ended
            // close to its deadline whatever the interval.
            while (true)
            {
                await Task.Delay(sweeper.NextDelay(longest), timeProvider, stoppingToken).ConfigureAwait(false);
                try
                {
                    await sweeper.SweepOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.SweepFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
