using Microsoft.Extensions.Hosting;

namespace McpCompat.Hosting;

/// <summary>
/// Ends every session <c>MapMcpCompat</c> hosts when the application stops: transports, servers and run tasks.
/// Registered before the sweeper's service, so it stops after it (hosted services stop in reverse order).
/// </summary>
internal sealed class HostedSessionShutdownService(HostedSessionStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => store.EndAllAsync();
}
