using McpCompat.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace McpCompat.Tests.Support;

/// <summary>McpCompat's background sweeper, for tests whose own sweeps must be the only ones.</summary>
internal static class SweeperService
{
    /// <summary>
    /// Stops the background sweeper once its loop runs: stopped before, its loop is cancelled without having run, and the
    /// host reports that as a failed service and stops the application.
    /// </summary>
    public static async Task StopAsync(IServiceProvider services)
    {
        var service = services.GetServices<IHostedService>().OfType<SessionSweeperService>().Single();
        await service.Running.WaitAsync(TimeSpan.FromSeconds(30));
        await service.StopAsync(CancellationToken.None);
    }
}
