using System.Net;
using System.Text.Json.Nodes;
using McpCompat.Probing;
using McpCompat.Resumption;
using McpCompat.Tests.Support;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;

namespace McpCompat.Tests.AspNetCore;

/// <summary>
/// A client's DELETE ends a resumable session on the SDK's own <c>MapMcp</c> for good: with calls in flight, against a
/// rebuild the SDK's hook has under way, while the store stalls; and only a session that exists is ended and told to
/// the fleet (any other id: 404, as on <c>MapMcpCompat</c>). Where the host has no migration hook (0.8.0-preview.1),
/// nothing resumes: what depends on a resume checks that the evicted session is gone instead. The cache is a fake on the
/// application's fake clock.
/// </summary>
public sealed class SdkDeleteFinalityTests
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    private static bool SdkHasHook => McpSdkProbe.Current.Has(McpSdkFeatureKind.SessionMigration);

    private static async Task<(McpTestHost Host, FakeDistributedCache Cache, InMemorySessionEndChannel Channel)> StartAsync(McpCompatMode mode)
    {
        var channel = new InMemorySessionEndChannel();
        var host = await McpTestHost.StartAsync(
            o =>
            {
                o.Mode = mode;
                o.SessionIdleTimeout = IdleTimeout;
                o.SessionResumeWindow = TimeSpan.FromDays(1);
            },
            services: s => s
                .AddSingleton<IDistributedCache>(sp => new FakeDistributedCache(sp.GetRequiredService<TimeProvider>()))
                .AddSingleton<IMcpSessionEndChannel>(channel));
        return (host, Assert.IsType<FakeDistributedCache>(host.App.Services.GetRequiredService<IDistributedCache>()), channel);
    }

    /// <summary>Ends the session's memory on the fallback path: McpCompat's sweep, an in-process DELETE that keeps the record.</summary>
    private static async Task EvictAsync(McpTestHost host)
    {
        host.Time.Advance(IdleTimeout + TimeSpan.FromSeconds(1));
        await host.Sweeper.SweepOnceAsync();
        Assert.Equal(0, host.Tracker.Count);
    }

    /// <summary>
    /// Evicts the session; where the SDK has the migration hook it stays resumable (<see langword="true"/>), without it
    /// its id answers 404 at once and there is nothing more to test (<see langword="false"/>).
    /// </summary>
    private static async Task<bool> EvictResumableAsync(McpTestHost host, string id)
    {
        await EvictAsync(host);
        if (SdkHasHook)
        {
            return true;
        }

        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
        return false;
    }

    [Theory]
    [InlineData(McpCompatMode.Auto)]
    [InlineData(McpCompatMode.Fallback)]
    public async Task Delete_OfAnIdNeitherLiveNorRecorded_404SessionNotFound_NothingTold(McpCompatMode mode)
    {
        var (host, _, channel) = await StartAsync(mode);
        await using var _ = host;

        foreach (var id in new[] { "made-up-id", new string('x', 30 * 1024) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, host.Endpoint);
            request.Headers.Add("Mcp-Session-Id", id);
            using var response = await host.Http.SendAsync(request);

            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal(-32001, (int?)RawMcpClient.ReadMessage(await response.Content.ReadAsStringAsync())?["error"]?["code"]);
        }

        Assert.Equal(0, channel.Published);
        var live = await host.Client.InitializeAsync();
        Assert.Equal(HttpStatusCode.OK, await host.Client.DeleteAsync(live));

        // A live session is told to the fleet where it can resume elsewhere: only with the SDK's migration hook.
        Assert.Equal(McpSdkProbe.Current.Has(McpSdkFeatureKind.SessionMigration) ? 1 : 0, channel.Published);
    }

    [Theory]
    [InlineData(McpCompatMode.Auto)]
    [InlineData(McpCompatMode.Fallback)]
    public async Task Delete_WithFourCallersInFlight_NoCallAfterItsAnswerIsServed(McpCompatMode mode)
    {
        var (host, cache, _) = await StartAsync(mode);
        await using var _ = host;
        for (var trial = 0; trial < 20; trial++)
        {
            var id = await host.Client.InitializeAsync();
            var servedAfter = await DeleteRace.CallsServedAfterDeleteAsync(host.Client, id, cutWhileInFlight: true);

            Assert.Equal(0, servedAfter);
            Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
            Assert.Null(cache.Peek(SessionRecordStore.KeyOf(id)));
        }

        // The calls the DELETE ended got the SDK's answer for an ended session, not an exception out of its handler.
        host.Logs.AssertNothingUnhandled(allowCancelledTools: true);
    }

    [Fact]
    public async Task Delete_WhileTheHooksRebuildHoldsTheRecord_TheRebuiltSessionEndsToo()
    {
        var (host, cache, _) = await StartAsync(McpCompatMode.Fallback);
        await using var _ = host;
        var id = await host.Client.InitializeAsync();
        if (!await EvictResumableAsync(host, id))
        {
            return;
        }

        var held = cache.HoldNextRecordRead();
        var resuming = host.Client.PingAsync(id);
        await held.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        var deleting = host.Client.DeleteAsync(id);
        held.Release();

        Assert.Equal(HttpStatusCode.OK, await deleting.WaitAsync(TimeSpan.FromSeconds(30)));
        try
        {
            await resuming.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (HttpRequestException)
        {
            // Resumed, then ended by the DELETE while its answer was being written: the SDK's host cuts it.
        }

        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
        Assert.Null(cache.Peek(SessionRecordStore.KeyOf(id)));
    }

    [Fact]
    public async Task WhileTheStoreStalls_DeleteAndResume_503RetryAfter_ThenBothWork()
    {
        var (host, cache, _) = await StartAsync(McpCompatMode.Fallback);
        await using var _ = host;
        var id = await host.Client.InitializeAsync();
        if (!await EvictResumableAsync(host, id))
        {
            return;
        }

        using (var response = await DeleteRace.PastTheStoreTimeoutAsync(cache, host.Time, () => host.Client.SendRequestAsync(id, "ping")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("2", Assert.Single(response.Headers.GetValues("Retry-After")));
            var error = RawMcpClient.ReadMessage(await response.Content.ReadAsStringAsync())?["error"];
            Assert.Equal(-32000, (int?)error?["code"]);
            Assert.Contains("McpCompat:SessionStoreTimeout", (string?)error?["message"], StringComparison.Ordinal);
        }

        DeleteRace.StoreBack(cache, host.Time);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await DeleteRace.PastTheStoreTimeoutAsync(cache, host.Time, () => host.Client.DeleteAsync(id)));

        DeleteRace.StoreBack(cache, host.Time);
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));
        Assert.Equal(HttpStatusCode.OK, await host.Client.DeleteAsync(id));
        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
        host.Logs.AssertNothingUnhandled();
    }
}
