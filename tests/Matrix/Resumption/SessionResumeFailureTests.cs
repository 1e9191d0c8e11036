using System.Net;
using System.Text;
using McpCompat.Resumption;
using McpCompat.Tests.Hosting;
using McpCompat.Tests.Support;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using static McpCompat.Tests.Resumption.ResumableTestHost;

namespace McpCompat.Tests.Resumption;

/// <summary>
/// <see cref="McpCompatOptions.SessionResumeWindow"/> on <c>MapMcpCompat</c> when something goes wrong, on every SDK
/// version: an unknown or chosen id, a damaged or foreign record, a cache that is down, requests racing their sessions'
/// evictions, the window off. Each gets a clean answer (200, 404 or 503 with Retry-After), never a 500.
/// </summary>
[Collection(HostingTestTools.Collection)]
public sealed class SessionResumeFailureTests
{
    [Fact]
    public async Task UnknownOrChosenId_404_NothingPlanted()
    {
        var (host, cache) = await StartAsync();
        await using var _ = host;

        var unknown = await host.Client.PingAsync("made-up-session-id");
        var (initStatus, _, _) = await MapMcpCompatTests.SendAsync(host, HttpMethod.Post,
            """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}""",
            sessionId: "chosen-by-client");
        var tooLong = await host.Client.PingAsync(new string('a', 500));

        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.Equal(HttpStatusCode.NotFound, initStatus);
        Assert.Equal(HttpStatusCode.NotFound, tooLong);
        Assert.Empty(cache.Keys);
        Assert.Equal(0, host.Store.Count);
    }

    [Theory]
    [InlineData("not json at all", "not JSON")]
    [InlineData("""{"v":2}""", "\"v\" is not 1")]
    [InlineData("""{"v":1,"init":{"protocolVersion":"2025-03-26","capabilities":[],"clientInfo":{}},"created":1}""", "not an object")]
    [InlineData("""{"v":1,"init":{"protocolVersion":"1999-01-01","capabilities":{},"clientInfo":{"name":"x","version":"1"}},"created":1}""", "1999-01-01")]
    public async Task DamagedOrForeignRecord_404_Logged_Never500(string stored, string logged)
    {
        var (host, cache) = await StartAsync();
        await using var _ = host;
        var id = await host.Client.InitializeAsync();
        await EvictAllAsync(host);
        cache.Set(SessionRecordStore.KeyOf(id), Encoding.UTF8.GetBytes(stored), new DistributedCacheEntryOptions { SlidingExpiration = Window });

        var (status, message) = await host.Client.RequestAsync(id, "ping");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(-32001, (int?)message?["error"]?["code"]);
        Assert.Equal(0, host.Store.Count);
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Name == "SessionRecordRefused" && r.Message.Contains(logged, StringComparison.Ordinal));
    }

    [Fact]
    public async Task CacheDown_SessionsStillServe_EvictedOnes503RetryAfter_Never500()
    {
        var (host, cache) = await StartAsync();
        await using var _ = host;
        var resumable = await host.Client.InitializeAsync();
        cache.Failing = true;
        var unrecorded = await host.Client.InitializeAsync();

        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(unrecorded));
        await EvictAllAsync(host);
        using (var response = await host.Client.SendRequestAsync(resumable, "ping"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("2", Assert.Single(response.Headers.GetValues("Retry-After")));
            Assert.Contains("McpCompat:SessionStoreTimeout", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Single(host.Logs.GetSnapshot(), r => r.Id.Name == "SessionStoreProblem");

        DeleteRace.StoreBack(cache, host.Time);
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(resumable));
        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(unrecorded));
    }

    [Fact]
    public async Task RequestsRacingEvictions_AllAnswered200_ResumedOrKeptAlive_Never404()
    {
        var gate = new RequestGate();
        var cache = (FakeDistributedCache?)null;
        await using var host = await CompatTestHost.StartAsync(
            o => o.SessionResumeWindow = Window,
            services: s =>
            {
                gate.Register(s);
                s.AddSingleton<IDistributedCache>(sp => cache = new FakeDistributedCache(sp.GetRequiredService<TimeProvider>()));
            });
        await SweeperService.StopAsync(host.App.Services);
        var ids = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            ids.Add(await host.Client.InitializeAsync());
        }

        // Every session is due; a quarter of the requests reach theirs before the sweep, a quarter race it, and the rest
        // come once it is over (their sessions ended: each resumes).
        var waiting = gate.HoldAsync(ids.Count);
        var requests = ids.Select(id => host.Client.RequestAsync(id, "ping")).ToArray();
        await waiting.WaitAsync(TimeSpan.FromSeconds(60));
        host.Time.Advance(IdleTimeout + TimeSpan.FromSeconds(1));
        await gate.LetInAsync(ids.Count / 4).WaitAsync(TimeSpan.FromSeconds(60));
        var sweep = host.Sweeper.SweepOnceAsync();
        await gate.LetInAsync(ids.Count / 4).WaitAsync(TimeSpan.FromSeconds(60));
        await sweep;
        gate.Release();
        var answers = await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Name == "SessionResumed");
        host.Logs.AssertNothingUnhandled();
    }

    [Fact]
    public async Task WindowOff_EvictedSession_404_NothingRecorded()
    {
        var (host, cache) = await StartAsync(configure: o => o.SessionResumeWindow = TimeSpan.Zero);
        await using var _ = host;
        var id = await host.Client.InitializeAsync();
        await EvictAllAsync(host);

        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
        Assert.Empty(cache.Keys);
    }
}
