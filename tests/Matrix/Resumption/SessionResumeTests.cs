using System.Diagnostics.Metrics;
using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text;
using McpCompat.Resumption;
using McpCompat.Tests.Hosting;
using McpCompat.Tests.Support;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace McpCompat.Tests.Resumption;

/// <summary>
/// <see cref="McpCompatOptions.SessionResumeWindow"/> on <c>MapMcpCompat</c>, on every SDK version: an evicted session's
/// memory is reclaimed, its record stays in the distributed cache, and its client goes on under the old id, without a
/// new handshake, with the server seeing the same client. Only the owner resumes, a client's DELETE ends it for good,
/// and a record that cannot be used gets 404, never a 500. The cache is a fake on the application's fake clock.
/// </summary>
[Collection(HostingTestTools.Collection)]
public sealed class SessionResumeTests
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private static async Task<(CompatTestHost Host, FakeDistributedCache Cache)> StartAsync(bool requireAuthorization = false, Action<McpCompatOptions>? configure = null)
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

    private static async Task EvictAllAsync(CompatTestHost host)
    {
        host.Time.Advance(IdleTimeout + TimeSpan.FromSeconds(1));
        await host.Sweeper.SweepOnceAsync();
        Assert.Equal(0, host.Store.Count);
    }

    private static object? Read(object target, string property) =>
        target.GetType().GetProperty(property, BindingFlags.Public | BindingFlags.Instance)?.GetValue(target);

    [Fact]
    public async Task Evicted_ClientComesBack_SameIdNoHandshake_ServerSeesSameClient()
    {
        var (host, cache) = await StartAsync();
        await using var _ = host;
        var id = await host.Client.InitializeAsync();
        var before = host.Store.Find(id)!.Server;
        var clientInfo = Read(before, "ClientInfo");
        var negotiated = Read(before, "NegotiatedProtocolVersion");

        await EvictAllAsync(host);
        Assert.Contains(SessionRecordStore.KeyOf(id), cache.Keys);

        var (status, message, sessionHeader) = await CallEchoAsync(host, id, "after eviction");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("after eviction", (string?)message?["result"]?["content"]?[0]?["text"]);
        Assert.Equal(id, sessionHeader);
        var after = host.Store.Find(id)!.Server;
        Assert.NotSame(before, after);
        Assert.Equal("raw-test-client", Read(Read(after, "ClientInfo")!, "Name"));
        Assert.Equal(Read(clientInfo!, "Version"), Read(Read(after, "ClientInfo")!, "Version"));
        Assert.Equal(negotiated, Read(after, "NegotiatedProtocolVersion"));
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Name == "SessionResumed" && r.Message.Contains(id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task LoggingLevel_TheClientSet_IsSetAgainOnResume()
    {
        var (host, cache) = await StartAsync();
        await using var _ = host;
        var id = await host.Client.InitializeAsync();
        var (setStatus, _) = await host.Client.RequestAsync(id, "logging/setLevel", new JsonObject { ["level"] = "error" });
        Assert.Equal(HttpStatusCode.OK, setStatus);
        var level = Read(host.Store.Find(id)!.Server, "LoggingLevel");
        Assert.Equal("Error", level?.ToString());

        await EvictAllAsync(host);
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));

        Assert.Equal("Error", Read(host.Store.Find(id)!.Server, "LoggingLevel")?.ToString());
        Assert.Contains("\"level\":\"error\"", Encoding.UTF8.GetString(cache.Peek(SessionRecordStore.KeyOf(id))!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStream_OfAnEvictedSession_ResumesIt()
    {
        var (host, _) = await StartAsync();
        await using var __ = host;
        var id = await host.Client.InitializeAsync();
        await EvictAllAsync(host);

        using var stream = await host.Client.OpenGetStreamAsync(id);

        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal(id, Assert.Single(stream.Headers.GetValues("Mcp-Session-Id")));
        Assert.Equal(1, host.Store.Count);
    }

    [Fact]
    public async Task Record_LivesForTheWindow_SlidingFromEvictionAndResume_ThenTheIdIsGone()
    {
        var (host, cache) = await StartAsync();
        await using var _ = host;
        var id = await host.Client.InitializeAsync();
        var key = SessionRecordStore.KeyOf(id);
        Assert.Equal(Window, cache.OptionsOf(key)!.SlidingExpiration);

        // Evicted, then back just before the window closes: the resume slides the window.
        await EvictAllAsync(host);
        host.Time.Advance(Window - TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));

        // Evicted again: the window starts at this eviction, not at the first one.
        await EvictAllAsync(host);
        host.Time.Advance(Window - TimeSpan.FromMinutes(1));
        Assert.NotNull(cache.Peek(key));
        host.Time.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
        Assert.Equal(0, host.Store.Count);
    }

    [Fact]
    public async Task LiveSession_UsedPastHalfItsWindow_RecordWrittenAgain_OncePerHalfWindow()
    {
        var (host, cache) = await StartAsync(configure: o => o.SessionIdleTimeout = TimeSpan.FromHours(2));
        await using var _ = host;
        var id = await host.Client.InitializeAsync();
        var written = cache.Writes;

        host.Time.Advance(Window / 2 - TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));
        Assert.Equal(written, cache.Writes);

        host.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));
        await host.Store.Find(id)!.RecordRefresh.WaitAsync(FakeClock.Bound);
        Assert.Equal(written + 1, cache.Writes);
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));
        Assert.Equal(written + 1, cache.Writes);
    }

    [Fact]
    public async Task ConcurrentRequests_ForAnEvictedSession_ResumeItOnce()
    {
        var (host, _) = await StartAsync();
        await using var __ = host;
        var id = await host.Client.InitializeAsync();
        await EvictAllAsync(host);
        using var resumed = new MetricCollector<long>(host.App.Services.GetRequiredService<IMeterFactory>(), McpCompatTelemetry.MeterName, "mcpcompat.sessions.resumed");

        var statuses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => host.Client.PingAsync(id)));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(1, host.Store.Count);
        var measurement = Assert.Single(resumed.GetMeasurementSnapshot());
        Assert.Equal("resumed", measurement.Tags["mcpcompat.session.resume_result"]);
    }

    [Fact]
    public async Task AnotherUser_GetsWhatALiveSessionAnswers_AndDoesNotResumeIt()
    {
        var (host, _) = await StartAsync(requireAuthorization: true);
        await using var __ = host;
        var alice = host.ClientFor("alice");
        var bob = host.ClientFor("bob");
        var id = await alice.InitializeAsync();
        var live = await bob.RequestAsync(id, "ping");

        await EvictAllAsync(host);
        var evicted = await bob.RequestAsync(id, "ping");
        var deleteByBob = await bob.DeleteAsync(id);

        Assert.Equal(HttpStatusCode.Forbidden, live.Status);
        Assert.Equal(live.Status, evicted.Status);
        Assert.Equal(live.Message?.ToJsonString(), evicted.Message?.ToJsonString());
        Assert.Equal(HttpStatusCode.Forbidden, deleteByBob);
        Assert.Equal(0, host.Store.Count);
        Assert.Equal(HttpStatusCode.OK, await alice.PingAsync(id));
    }

    [Fact]
    public async Task ClientDelete_OfALiveSession_DeletesTheRecord_NoResumeAfter()
    {
        var (host, cache) = await StartAsync();
        await using var _ = host;
        var id = await host.Client.InitializeAsync();

        Assert.Equal(HttpStatusCode.OK, await host.Client.DeleteAsync(id));

        Assert.DoesNotContain(SessionRecordStore.KeyOf(id), cache.Keys);
        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
        Assert.Equal(0, host.Store.Count);
    }

    [Fact]
    public async Task ClientDelete_OfAnEvictedSession_AnswersAsForALiveOne_NoResumeAfter()
    {
        var (host, cache) = await StartAsync();
        await using var _ = host;
        var id = await host.Client.InitializeAsync();
        await EvictAllAsync(host);

        Assert.Equal(HttpStatusCode.OK, await host.Client.DeleteAsync(id));

        Assert.DoesNotContain(SessionRecordStore.KeyOf(id), cache.Keys);
        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
        Assert.Equal(HttpStatusCode.NotFound, await host.Client.DeleteAsync(id));
    }

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

    private static async Task<(HttpStatusCode Status, JsonNode? Message, string? SessionId)> CallEchoAsync(CompatTestHost host, string id, string text)
    {
        using var response = await host.Client.SendRequestAsync(id, "tools/call", new JsonObject { ["name"] = "echo", ["arguments"] = new JsonObject { ["message"] = text } });
        var body = await response.Content.ReadAsStringAsync();
        var header = response.Headers.TryGetValues("Mcp-Session-Id", out var values) ? values.Single() : null;
        return (response.StatusCode, RawMcpClient.ReadMessage(body), header);
    }
}
