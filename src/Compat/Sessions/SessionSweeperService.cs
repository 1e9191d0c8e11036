using McpCompat.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpCompat.Sessions;

/// <summary>Runs <see cref="SessionSweeper.SweepOnceAsync"/> every <see cref="McpCompatOptions.SweepInterval"/> while McpCompat's own path is in charge.</summary>
internal sealed class SessionSweeperService(
    McpCompatRuntime runtime,
    SessionSweeper sweeper,
    IOptions<McpCompatOptions> options,
    TimeProvider timeProvider,
    ILogger<SessionSweeperService> logger) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        runtime.LogDecisionOnce();
        return runtime.Decision.Path == McpCompatPath.Fallback ? base.StartAsync(cancellationToken) : Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
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
