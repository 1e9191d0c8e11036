#if MCPSDK_1_0_OR_GREATER
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;
#endif

namespace ConformanceServer;

internal static class FixtureServerBuilderExtensions
{
    /// <summary>
    /// Adds everything the suite's server scenarios ask for: the tools, resources and prompts, completion, the logging
    /// level, resource subscriptions and, on SDKs that have one, an SSE event stream store (resumable streams) in DI
    /// unless <paramref name="eventStreamStore"/> is <see langword="false"/>; there, too, eng/resume.sh's tools.
    /// </summary>
    public static IMcpServerBuilder AddConformanceFixture(this IMcpServerBuilder mcp, bool eventStreamStore = true)
    {
        mcp.WithTools<FixtureTools>()
            .WithTools([SchemaTool.Create()])
            .WithResources<FixtureResources>()
            .WithPrompts<FixturePrompts>()
            .WithCompleteHandler(FixtureHandlers.CompleteAsync)
            .WithSetLoggingLevelHandler(FixtureHandlers.SetLoggingLevelAsync)
            .WithSubscribeToResourcesHandler(FixtureHandlers.SubscribeAsync)
            .WithUnsubscribeFromResourcesHandler(FixtureHandlers.UnsubscribeAsync);

#if MCPSDK_1_0_OR_GREATER
        mcp.WithTools<ResumeTools>();
        if (!eventStreamStore)
        {
            return mcp;
        }

        // The SDK's store over the distributed cache (in memory unless Program registered Redis), registered as
        // ISseEventStreamStore: the SDK's host reads it from DI (and Program sets it in the host's options as well);
        // MapMcpCompat reads it from DI. (AddDistributedMemoryCache adds nothing when a cache is registered already.)
        mcp.Services.AddDistributedMemoryCache();
        mcp.Services.TryAddSingleton<ISseEventStreamStore>(services => new DistributedCacheEventStreamStore(
            Options.Create(new DistributedCacheEventStreamStoreOptions { Cache = services.GetRequiredService<IDistributedCache>() }),
            services.GetService<ILogger<DistributedCacheEventStreamStore>>()));
#endif
        return mcp;
    }
}
