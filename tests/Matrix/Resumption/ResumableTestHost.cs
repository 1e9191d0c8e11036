using McpCompat.Tests.Hosting;
using McpCompat.Tests.Support;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;

namespace McpCompat.Tests.Resumption;

/// <summary>A host of <c>MapMcpCompat</c> whose sessions resume, with its records in a fake cache on the host's fake clock.</summary>
internal static class ResumableTestHost
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    public static async Task<(CompatTestHost Host, FakeDistributedCache Cache)> StartAsync(bool requireAuthorization = false, Action<McpCompatOptions>? configure = null)
    {
        FakeDistributedCache? cache = null;
        var host = await CompatTestHost.StartAsync(
            o =>
            {
                o.SessionResumeWindow = Window;
                configure?.Invoke(o);
            },
            requireAuthorization,
            services => services.AddSingleton<IDistributedCache>(sp => cache = new FakeDistributedCache(sp.GetRequiredService<TimeProvider>())));
        return (host, Assert.IsType<FakeDistributedCache>(host.App.Services.GetRequiredService<IDistributedCache>()));
    }

    public static async Task EvictAllAsync(CompatTestHost host)
    {
        host.Time.Advance(IdleTimeout + TimeSpan.FromSeconds(1));
        await host.Sweeper.SweepOnceAsync();
        Assert.Equal(0, host.Store.Count);
    }
}
