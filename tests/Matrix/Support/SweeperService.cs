using McpCompat.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace McpCompat.Tests.Support;

/// <summary>McpCompat's background sweeper, for tests whose own sweeps must be the only ones.</summary>
internal static class SweeperService
{
    /// <summary>Stops the background sweeper: from then on only the test sweeps.</summary>
    public static Task StopAsync(IServiceProvider services) => Of(services).StopAsync(CancellationToken.None);

    /// <summary>The background sweeper of the application.</summary>
    public static SessionSweeperService Of(IServiceProvider services) =>
        services.GetServices<IHostedService>().OfType<SessionSweeperService>().Single();
}
