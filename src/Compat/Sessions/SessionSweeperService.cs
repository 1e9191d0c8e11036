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
    ISweeperDemand demand,
    SessionSweeper sweeper,
    IOptions<McpCompatOptions> options,
    TimeProvider timeProvider,
    ILogger<SessionSweeperService> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;
    private TaskCompletionSource<int> _nextSweep = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gets a task that completes when the loop's next sweep has, with what <see cref="SessionSweeper.SweepOnceAsync"/> returned.</summary>
    internal Task<int> NextSweep => Volatile.Read(ref _nextSweep).Task;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!demand.SweeperNeeded)
        {
            return Task.CompletedTask;
        }

        // Counted as alive from here. The loop's first timer is created here, on the clock as it reads now; the loop
        // itself goes on on that timer's thread.
        sweeper.Beat();
        _loop = RunAsync(_stopping.Token);
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
                    var ended = await sweeper.SweepOnceAsync(stoppingToken).ConfigureAwait(false);
                    Interlocked.Exchange(ref _nextSweep, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(ended);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.SweepFailed(logger, ex);
                    Interlocked.Exchange(ref _nextSweep, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetException(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
