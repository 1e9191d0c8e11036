using Microsoft.Extensions.DependencyInjection;

namespace McpCompat.Tests.Support;

/// <summary>
/// McpCompat's services as <c>AddMcpCompat</c> registers them, on the given clock: the real dependencies (metrics, the
/// records of resumable sessions) of a piece a test builds by hand.
/// </summary>
internal static class CompatServices
{
    public static ServiceProvider Create(TimeProvider time, Action<McpCompatOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(time);
        services.AddMcpServer().AddMcpCompat(configure ?? (static _ => { }));
        return services.BuildServiceProvider();
    }
}
