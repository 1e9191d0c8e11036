using System.Reflection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Server;

namespace McpCompat.Tests.Support;

/// <summary>The SDK's own event stream store, registered as an application registers it.</summary>
internal static class SdkEventStreamStore
{
/// <summary>
/// Registers the SDK's <c>DistributedCacheEventStreamStore</c> (ModelContextProtocol 0.8.0-preview.1 and later) as its
/// <c>ISseEventStreamStore</c>, over an in-memory distributed cache; nothing where the SDK has no such store.
/// </summary>
public static void Add(IServiceCollection services)
{
    var sdk = typeof(McpServerOptions).Assembly.GetName().Name == "ModelContextProtocol.Core"
        ? Assembly.Load("ModelContextProtocol")
        : typeof(McpServerOptions).Assembly;
    var storeType = sdk.GetType("ModelContextProtocol.Server.DistributedCacheEventStreamStore");
    var optionsType = sdk.GetType("ModelContextProtocol.Server.DistributedCacheEventStreamStoreOptions");
    if (storeType is null || optionsType is null)
    {
        return;
    }

    var cache = new MemoryDistributedCache(Microsoft.Extensions.Options.Options.Create(new MemoryDistributedCacheOptions()));
    object store;
    if (storeType.GetConstructors().Any(c => c.GetParameters() is [{ ParameterType: var first }, ..] && first == typeof(IDistributedCache)))
    {
        // 0.8.0-preview.1: (IDistributedCache cache, DistributedCacheEventStreamStoreOptions? options, ILogger? logger).
        store = Activator.CreateInstance(storeType, cache, null, null)!;
    }
    else
    {
        // 1.0.0 and later: (IOptions<DistributedCacheEventStreamStoreOptions> options, ILogger? logger), the cache an option.
        var options = Activator.CreateInstance(optionsType)!;
        optionsType.GetProperty("Cache")!.SetValue(options, cache);
        var wrapped = typeof(Microsoft.Extensions.Options.Options).GetMethod(nameof(Microsoft.Extensions.Options.Options.Create))!.MakeGenericMethod(optionsType).Invoke(null, [options])!;
        store = Activator.CreateInstance(storeType, wrapped, null)!;
    }

    services.AddSingleton(storeType.GetInterface("ISseEventStreamStore")!, store);
}
}
