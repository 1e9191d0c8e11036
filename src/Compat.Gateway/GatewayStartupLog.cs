using System.Globalization;
using McpCompat.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpCompat.Gateway;

/// <summary>
/// Says once the host has started, when what was mapped is known and the settings are validated, what each gateway
/// does; or that none is mapped and what to call.
/// </summary>
internal sealed class GatewayStartupLog(GatewayRoutes routes, IOptions<McpCompatOptions> options, ILogger<GatewayEndpoint> logger) : IHostedLifecycleService
{
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var all = routes.All;
        if (all.Count == 0)
        {
            Log.NoGatewayMapped(logger);
            return Task.CompletedTask;
        }

        var settings = options.Value;
        var idle = settings.SessionIdleTimeout ?? McpCompatDefaults.SessionIdleTimeout;
        var idleText = Describe(idle);
        var keepAliveText = Describe(settings.KeepAliveInterval);
        foreach (var route in all)
        {
            var upstreams = string.Join(", ", route.Upstreams);
            Log.GatewayMapped(logger, route.Pattern, upstreams, idleText, settings.MaxSessions, keepAliveText);
        }

        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static string Describe(TimeSpan span) =>
        span == Timeout.InfiniteTimeSpan ? "infinite" : span.ToString("c", CultureInfo.InvariantCulture);
}
