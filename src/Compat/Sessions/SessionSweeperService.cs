using McpCompat.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpCompat.Sessions;

/// <summary>
/// Runs <see cref="SessionSweeper.SweepOnceAsync"/> when the longest-idle session is due, and at least every
/// <see cref="McpCompatOptions.SweepInterval"/>, while McpCompat's
/// own path is in charge or it hosts sessions (<c>MapMcpCompat</c>).
/// </summary>
internal sealed class SessionSweeperService(
    McpCompatRuntime runtime,
    SessionSweeper sweeper,
    IOptions<McpCompatOptions> options,
    TimeProvider timeProvider,
    ILogger<SessionSweeperService> logger) : BackgroundService
{
    private readonly TaskCompletionSource _running = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Gets a task that completes once the loop runs. The host starts it on the thread pool after <see cref="StartAsync"/>
    /// has returned; stopping the service before then cancels a loop that never ran, which the host reports as a failure.
    /// </summary>
    internal Task Running => _running.Task;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        runtime.LogDecisionOnce();
        if (!runtime.SweeperNeeded)
        {
            return Task.CompletedTask;
        }

        // Counted as alive from here: the loop itself may start later, on the thread pool.
        sweeper.Beat();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _running.TrySetResult();
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
