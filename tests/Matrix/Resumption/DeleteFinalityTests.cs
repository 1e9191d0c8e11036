using System.Net;
using System.Text.Json.Nodes;
using McpCompat.Resumption;
using McpCompat.Tests.Hosting;
using McpCompat.Tests.Support;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace McpCompat.Tests.Resumption;

/// <summary>
/// A client's DELETE ends a resumable session on <c>MapMcpCompat</c> for good, whatever is in flight: calls on the
/// session, a resume under way on this instance or another, a store that stalls or loses the deletion. The cache is a
/// fake on a fake clock that can hold a read, stall, or be put back as it was.
/// </summary>
[Collection(HostingTestTools.Collection)]
public sealed class DeleteFinalityTests
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Window = TimeSpan.FromDays(1);

    private static async Task<(CompatTestHost Host, FakeDistributedCache Cache)> StartAsync(FakeDistributedCache? shared = null, IMcpSessionEndChannel? channel = null)
    {
        var host = await CompatTestHost.StartAsync(
            o => o.SessionResumeWindow = Window,
            services: s =>
            {
                s.AddSingleton<IDistributedCache>(sp => shared ?? new FakeDistributedCache(sp.GetRequiredService<TimeProvider>()));
                if (channel is not null)
                {
                    s.AddSingleton(channel);
                }
            });
        return (host, Assert.IsType<FakeDistributedCache>(host.App.Services.GetRequiredService<IDistributedCache>()));
    }

    private static async Task EvictAllAsync(CompatTestHost host)
    {
        host.Time.Advance(IdleTimeout + TimeSpan.FromSeconds(1));
        await host.Sweeper.SweepOnceAsync();
        Assert.Equal(0, host.Store.Count);
    }

    [Fact]
    public async Task Delete_WithFourCallersInFlight_NoCallAfterItsAnswerIsServed_NothingResumes()
    {
        var (host, cache) = await StartAsync();
        await using var _ = host;
        for (var trial = 0; trial < 20; trial++)
        {
            var id = await host.Client.InitializeAsync();
            var servedAfter = await DeleteRace.CallsServedAfterDeleteAsync(host.Client, id);

            Assert.Equal(0, servedAfter);
            await EvictAllAsync(host);
            Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
            Assert.Null(cache.Peek(SessionRecordStore.KeyOf(id)));
            Assert.NotNull(cache.Peek(SessionRecordStore.TombstoneKeyOf(id)));
        }

        host.Logs.AssertNothingUnhandled(allowCancelledTools: true);
    }

    [Fact]
    public async Task Delete_WhileAResumeHoldsTheRecord_TheResumeEndsWithoutTheSession()
    {
        var (host, cache) = await StartAsync();
        await using var _ = host;
        var id = await host.Client.InitializeAsync();
        await EvictAllAsync(host);

        // The resume has read the record, and waits for the read to come back, when the DELETE arrives.
        var held = cache.HoldNextRecordRead();
        var resuming = host.Client.PingAsync(id);
        await held.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        var deleting = host.Client.DeleteAsync(id);
        held.Release();

        Assert.Equal(HttpStatusCode.OK, await deleting.WaitAsync(TimeSpan.FromSeconds(30)));
        await resuming.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
        Assert.Equal(0, host.Store.Count);
        Assert.Null(cache.Peek(SessionRecordStore.KeyOf(id)));
    }

    [Fact]
    public async Task Delete_OnOneInstance_WhileTheOtherResumes_NoInstanceKeepsTheSession()
    {
        var cache = new FakeDistributedCache(new FakeTimeProvider());
        var channel = new InMemorySessionEndChannel();
        var (a, _) = await StartAsync(cache, channel);
        var (b, _) = await StartAsync(cache, channel);
        await using var __ = a;
        await using var ___ = b;
        var id = await a.Client.InitializeAsync();
        await EvictAllAsync(a);

        var held = cache.HoldNextRecordRead();
        var resumingOnA = a.Client.PingAsync(id);
        await held.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, await b.Client.DeleteAsync(id));
        held.Release();
        await resumingOnA.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.NotFound, await a.Client.PingAsync(id));
        Assert.Equal(HttpStatusCode.NotFound, await b.Client.PingAsync(id));
        Assert.Equal(0, a.Store.Count + b.Store.Count);
        Assert.Null(cache.Peek(SessionRecordStore.KeyOf(id)));
    }

    [Fact]
    public async Task Delete_WhileTheStoreStalls_503RetryAfter_NothingEnded_ThenTheRetryIsFinal()
    {
        var (host, cache) = await StartAsync();
        await using var _ = host;
        var id = await host.Client.InitializeAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, await DeleteRace.PastTheStoreTimeoutAsync(cache, host.Time, () => host.Client.DeleteAsync(id)));
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Name == "DeleteRefusedStoreUnavailable" && r.Message.Contains(id, StringComparison.Ordinal));
        DeleteRace.StoreBack(cache, host.Time);
        Assert.Equal(1, host.Store.Count);
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));

        Assert.Equal(HttpStatusCode.OK, await host.Client.DeleteAsync(id));
        await EvictAllAsync(host);
        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
    }

    [Fact]
    public async Task Delete_ThenTheStoreComesBackFromAnOlderSnapshot_TheSessionStillDoesNotResume()
    {
        var (host, cache) = await StartAsync();
        await using var _ = host;
        var id = await host.Client.InitializeAsync();
        await EvictAllAsync(host);
        var snapshot = cache.Peek(SessionRecordStore.KeyOf(id))!;

        Assert.Equal(HttpStatusCode.OK, await host.Client.DeleteAsync(id));
        cache.Remove(SessionRecordStore.TombstoneKeyOf(id));
        cache.Set(SessionRecordStore.KeyOf(id), snapshot, new DistributedCacheEntryOptions { SlidingExpiration = Window });

        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
        Assert.Equal(0, host.Store.Count);
    }

    [Fact]
    public async Task RecordWrittenAgainAfterADeleteElsewhere_IsUndone_AndTheLiveCopyEnds()
    {
        // Instance b never hears of the DELETE (no channel): its copy's next record write finds the tombstone.
        var cache = new FakeDistributedCache(new FakeTimeProvider());
        var (a, _) = await StartAsync(cache);
        var (b, _) = await StartAsync(cache);
        await using var __ = a;
        await using var ___ = b;
        var id = await a.Client.InitializeAsync();
        Assert.Equal(HttpStatusCode.OK, await b.Client.PingAsync(id));
        Assert.Equal(HttpStatusCode.OK, await a.Client.DeleteAsync(id));

        await EvictAllAsync(b);

        Assert.Null(cache.Peek(SessionRecordStore.KeyOf(id)));
        Assert.Equal(HttpStatusCode.NotFound, await b.Client.PingAsync(id));
        Assert.Equal(HttpStatusCode.NotFound, await a.Client.PingAsync(id));
    }

    [Fact]
    public async Task EvictedSession_WhileTheStoreStalls_503RetryAfterOnceTheStoreTimeoutPasses_ThenResumes()
    {
        var (host, cache) = await StartAsync();
        await using var _ = host;
        var id = await host.Client.InitializeAsync();
        await EvictAllAsync(host);

        using (var response = await DeleteRace.PastTheStoreTimeoutAsync(cache, host.Time, () => host.Client.SendRequestAsync(id, "ping")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("2", Assert.Single(response.Headers.GetValues("Retry-After")));
            Assert.Equal(-32000, (int?)RawMcpClient.ReadMessage(await response.Content.ReadAsStringAsync())?["error"]?["code"]);
        }

        DeleteRace.StoreBack(cache, host.Time);
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));
    }

    [Fact]
    public async Task Initialize_WhileTheStoreStalls_AnsweredOnceTheStoreTimeoutPasses_TheSessionServes()
    {
        var (host, cache) = await StartAsync();
        await using var _ = host;

        var id = await DeleteRace.PastTheStoreTimeoutAsync(cache, host.Time, () => host.Client.InitializeAsync());
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));
        DeleteRace.StoreBack(cache, host.Time);
    }
}
