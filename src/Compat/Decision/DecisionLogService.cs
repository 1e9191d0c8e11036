using Microsoft.Extensions.Hosting;

namespace McpCompat.Decision;

/// <summary>
/// Logs McpCompat's decision once every hosted service has started: the web server has then built its pipeline, so
/// the endpoints the application mapped are known and the line says what is true of them.
/// </summary>
internal sealed class DecisionLogService(McpCompatRuntime runtime) : IHostedLifecycleService
{
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        runtime.LogDecisionOnce();
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
