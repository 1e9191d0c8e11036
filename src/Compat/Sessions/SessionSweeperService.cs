using McpCompat.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpCompat.Sessions;

/// <summary>
/// Runs <see cref="SessionSweeper.SweepOnceAsync"/> every <see cref="McpCompatOptions.SweepInterval"/> while McpCompat's
/// own path is in charge or it hosts sessions (<c>MapMcpCompat</c>), and ends hosted sessions at shutdown.
/// </summary>
internal sealed class SessionSweeperService(
    McpCompatRuntime runtime,
    SessionSweeper sweeper,
    Hosting.HostedSessionStore hostedSessions,
    IOptions<McpCompatOptions> options,
    TimeProvider timeProvider,
    ILogger<SessionSweeperService> logger) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        runtime.LogDecisionOnce();
        return runtime.SweeperNeeded ? base.StartAsync(cancellationToken) : Task.CompletedTask;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);

        // Shutdown ends every session McpCompat hosts: transports, servers and run tasks.
        await hostedSessions.EndAllAsync().ConfigureAwait(false);
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
