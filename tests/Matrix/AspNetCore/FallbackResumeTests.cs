using System.Net;
using McpCompat.Probing;
using McpCompat.Tests.Support;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;

namespace McpCompat.Tests.AspNetCore;

/// <summary>
/// On the SDK's <c>MapMcp</c> with McpCompat's own sweeper in charge (fallback path), a session the SDK's hook brought
/// back from its record is tracked again and expires again: resumable sessions stay bounded.
/// </summary>
public sealed class FallbackResumeTests
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ResumedSession_TrackedAgain_ExpiresAgain_ThenResumesAgain()
    {
        await using var host = await McpTestHost.StartAsync(
            o =>
            {
                o.Mode = McpCompatMode.Fallback;
                o.SessionIdleTimeout = IdleTimeout;
                o.SessionResumeWindow = TimeSpan.FromDays(1);
            },
            services: s => s.AddSingleton<IDistributedCache>(sp => new FakeDistributedCache(sp.GetRequiredService<TimeProvider>())));
        var resumes = McpSdkProbe.Current.Has(McpSdkFeatureKind.SessionMigration);
        var id = await host.Client.InitializeAsync();

        for (var round = 0; round < 2; round++)
        {
            host.Time.Advance(IdleTimeout + TimeSpan.FromSeconds(1));
            await host.Sweeper.SweepOnceAsync();
            Assert.Equal(0, host.Tracker.Count);

            Assert.Equal(resumes ? HttpStatusCode.OK : HttpStatusCode.NotFound, await host.Client.PingAsync(id));
            Assert.Equal(resumes ? 1 : 0, host.Tracker.Count);
        }
    }
}
