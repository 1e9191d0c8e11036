using System.Net;
using McpCompat.Resumption;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpCompat.Gateway.Tests;

/// <summary>
/// Sessions that resume (SessionResumeWindow, records in a distributed cache): a session the gateway ended for being idle
/// comes back under its id, its handshake replayed; a gateway that restarts takes its sessions up where they live; only
/// the owner resumes; a DELETE is final.
/// </summary>
[Collection(GatewayTests.Collection)]
public sealed class GatewayResumeTests
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task EndedForBeingIdle_ClientComesBack_ResumedUnderItsId_HandshakeReplayed()
    {
        await using var host = await GatewayHost.StartAsync(cache: NewCache());
        var id = await host.Client.InitializeAsync();
        Assert.Equal(HttpStatusCode.OK, (await host.Client.RequestAsync(id, "logging/setLevel", """{"level":"warning"}""")).Status);
        var first = host.Sessions.Find(id)!.UpstreamId;
        await EndIdleSessionsAsync(host);
        Assert.Equal([first], host.Upstream.SessionIdsOf("DELETE"));
        Assert.Null(host.Sessions.Find(id));

        var (status, message) = await host.Client.CallToolAsync(id, "echo", """{"text":"back"}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("back", (string?)message?["result"]?["content"]?[0]?["text"]);
        var second = host.Sessions.Find(id)!.UpstreamId;
        Assert.NotEqual(first, second);
        // The whole handshake again, under the new upstream id: initialize, initialized, the logging level.
        Assert.Equal(2, host.Upstream.Count("initialize"));
        Assert.Contains(("notifications/initialized", second), host.Upstream.Messages);
        Assert.Contains(("logging/setLevel", second), host.Upstream.Messages);
        Assert.Equal(1, host.Sessions.Count);
    }

    [Fact]
    public async Task ResumedSession_EndedForBeingIdleAgain_ResumesAgain_RecordKeptUpToDate()
    {
        var cache = NewCache();
        await using var host = await GatewayHost.StartAsync(cache: cache);
        var id = await host.Client.InitializeAsync();
        await EndIdleSessionsAsync(host);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.RequestAsync(id, "ping")).Status);
        var second = host.Sessions.Find(id)!.UpstreamId;
        Assert.Equal(second, (await RecordAsync(cache, id))?.Upstream?.SessionId);

        await EndIdleSessionsAsync(host);
        Assert.Null((await RecordAsync(cache, id))?.Upstream);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.RequestAsync(id, "ping")).Status);

        Assert.Equal(3, host.Upstream.Count("initialize"));
        Assert.Equal(2, host.Upstream.SessionIdsOf("DELETE").Count);
    }

    [Fact]
    public async Task GatewayRestarted_SessionGoesOnWhereItLives_NothingReplayed()
    {
        var cache = NewCache();
        await using var upstream = await Upstream.StartAsync();
        string id;
        string upstreamId;
        await using (var before = await GatewayHost.StartAsync(cache: cache, upstreams: [upstream]))
        {
            id = await before.Client.InitializeAsync();
            upstreamId = before.Sessions.Find(id)!.UpstreamId;
        }

        await using var after = await GatewayHost.StartAsync(cache: cache, upstreams: [upstream]);
        var (status, message) = await after.Client.CallToolAsync(id, "echo", """{"text":"after restart"}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("after restart", (string?)message?["result"]?["content"]?[0]?["text"]);
        Assert.Equal(upstreamId, after.Sessions.Find(id)!.UpstreamId);
        Assert.Equal(1, upstream.Count("initialize"));
    }

    [Fact]
    public async Task GatewayRestarted_UpstreamLostTheSessionToo_RebuiltFromTheRecord()
    {
        var cache = NewCache();
        var upstream = await Upstream.StartAsync();
        string id;
        await using (var before = await GatewayHost.StartAsync(cache: cache, upstreams: [upstream]))
        {
            id = await before.Client.InitializeAsync();
        }

        upstream = await upstream.RestartAsync();
        await using var restarted = upstream;
        await using var after = await GatewayHost.StartAsync(cache: cache, upstreams: [upstream]);
        var (status, _) = await after.Client.CallToolAsync(id, "echo", """{"text":"both restarted"}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, upstream.Count("initialize"));
        Assert.Contains(("notifications/initialized", after.Sessions.Find(id)!.UpstreamId), upstream.Messages);
    }

    [Fact]
    public async Task AnotherUser_DoesNotResume_OwnerDoes()
    {
        await using var host = await GatewayHost.StartAsync(cache: NewCache());
        var alice = host.ClientAs("alice");
        var id = await alice.InitializeAsync();
        await EndIdleSessionsAsync(host);

        var (bobStatus, bobMessage) = await host.ClientAs("bob").RequestAsync(id, "ping");
        var anonymous = await host.Client.DeleteAsync(id);

        Assert.Equal(HttpStatusCode.NotFound, bobStatus);
        Assert.Equal(-32001, (int?)bobMessage?["error"]?["code"]);
        Assert.Equal(HttpStatusCode.NotFound, anonymous);
        Assert.Equal(1, host.Upstream.Count("initialize"));
        Assert.Equal(HttpStatusCode.OK, (await alice.RequestAsync(id, "ping")).Status);
    }

    [Fact]
    public async Task ClientDelete_Final_NeverResumed()
    {
        var cache = NewCache();
        await using var host = await GatewayHost.StartAsync(cache: cache);
        var id = await host.Client.InitializeAsync();
        var upstreamId = host.Sessions.Find(id)!.UpstreamId;

        Assert.Equal(HttpStatusCode.OK, await host.Client.DeleteAsync(id));

        Assert.Equal([upstreamId], host.Upstream.SessionIdsOf("DELETE"));
        Assert.NotNull(await cache.GetAsync(SessionRecordStore.TombstoneKeyOf(id)));
        Assert.Null(await cache.GetAsync(SessionRecordStore.KeyOf(id)));
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.RequestAsync(id, "ping")).Status);
        Assert.Equal(1, host.Upstream.Count("initialize"));
    }

    [Fact]
    public async Task EndedForBeingIdle_ThenDeleted_200WithoutGoingUpstream_ThenFinal()
    {
        await using var host = await GatewayHost.StartAsync(cache: NewCache());
        var id = await host.Client.InitializeAsync();
        await EndIdleSessionsAsync(host);
        var relayed = host.Upstream.Requests.Count;

        Assert.Equal(HttpStatusCode.OK, await host.Client.DeleteAsync(id));

        Assert.Equal(relayed, host.Upstream.Requests.Count);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.RequestAsync(id, "ping")).Status);
        Assert.Equal(HttpStatusCode.NotFound, await host.Client.DeleteAsync(id));
        Assert.Equal(1, host.Upstream.Count("initialize"));
    }

    [Fact]
    public async Task GatewayRestarted_ClientDeletes_EndedUpstreamAndForGood()
    {
        var cache = NewCache();
        await using var upstream = await Upstream.StartAsync();
        string id;
        string upstreamId;
        await using (var before = await GatewayHost.StartAsync(cache: cache, upstreams: [upstream]))
        {
            id = await before.Client.InitializeAsync();
            upstreamId = before.Sessions.Find(id)!.UpstreamId;
        }

        await using var after = await GatewayHost.StartAsync(cache: cache, upstreams: [upstream]);

        Assert.Equal(HttpStatusCode.OK, await after.Client.DeleteAsync(id));
        Assert.Equal([upstreamId], upstream.SessionIdsOf("DELETE"));
        Assert.Equal(HttpStatusCode.NotFound, (await after.Client.RequestAsync(id, "ping")).Status);
    }

    [Fact]
    public async Task ConcurrentRequests_OfAnEndedSession_ShareOneResume()
    {
        await using var host = await GatewayHost.StartAsync(cache: NewCache());
        var id = await host.Client.InitializeAsync();
        await EndIdleSessionsAsync(host);

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => host.Client.CallToolAsync(id, "echo", $$"""{"text":"{{i}}"}""")));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Equal(2, host.Upstream.Count("initialize"));
        Assert.Equal(1, host.Sessions.Count);
    }

    [Fact]
    public async Task RequestRacingTheGatewaysOwnEviction_WaitsForIt_ThenResumes_Never404()
    {
        await using var host = await GatewayHost.StartAsync(cache: NewCache());
        var id = await host.Client.InitializeAsync();
        var first = host.Sessions.Find(id)!.UpstreamId;
        host.Upstream.DeleteGate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // The sweeper ends the idle session: its DELETE upstream is held at the upstream's door.
        host.Time.Advance(IdleTimeout + TimeSpan.FromSeconds(1));
        var sweep = host.Sweeper.SweepOnceAsync();
        await host.Upstream.DeleteArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var received = host.Received;
        var racing = host.Client.CallToolAsync(id, "echo", """{"text":"raced"}""");
        using (var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (host.Received == received)
            {
                await Task.Delay(10, bound.Token);
            }
        }

        await Task.Delay(100);
        Assert.False(racing.IsCompleted, "the racing request was answered while its session was being ended");
        host.Upstream.DeleteGate.TrySetResult();
        await sweep;
        await host.Sweeper.Evictions;

        var (status, message) = await racing;

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("raced", (string?)message?["result"]?["content"]?[0]?["text"]);
        Assert.Equal([first], host.Upstream.SessionIdsOf("DELETE"));
        Assert.NotEqual(first, host.Sessions.Find(id)!.UpstreamId);
        Assert.Equal(2, host.Upstream.Count("initialize"));
    }

    [Fact]
    public async Task Startup_SaysSessionsResume_FromWhichStore()
    {
        await using var host = await GatewayHost.StartAsync(cache: NewCache());

        // McpCompat's own line on resumable sessions, the same for the gateway.
        var line = Assert.Single(host.Logs.GetSnapshot(), r => r.Id.Name == "ResumableSessions");
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Contains("for 1.00:00:00", line.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(MemoryDistributedCache), line.Message, StringComparison.Ordinal);
        Assert.Contains("no session end channel is registered", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResumeWindowWithoutACache_HostStopsAtStart_NamingIt()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["McpCompat:SessionResumeWindow"] = "1d" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddMcpCompatGateway();
        await using var app = builder.Build();
        app.MapMcpCompatGateway("/mcp", "http://127.0.0.1:9/mcp");

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("McpCompat:SessionResumeWindow = '1.00:00:00' is invalid", Assert.Single(ex.Failures), StringComparison.Ordinal);
        Assert.Contains("IDistributedCache", ex.Failures.Single(), StringComparison.Ordinal);
    }

    private static MemoryDistributedCache NewCache() => new(Microsoft.Extensions.Options.Options.Create(new MemoryDistributedCacheOptions()));

    private static async Task<SessionRecord?> RecordAsync(IDistributedCache cache, string id) =>
        await cache.GetAsync(SessionRecordStore.KeyOf(id)) is { } bytes ? SessionRecord.TryParse(bytes, out _) : null;

    private static async Task EndIdleSessionsAsync(GatewayHost host)
    {
        host.Time.Advance(IdleTimeout + TimeSpan.FromSeconds(1));
        await host.Sweeper.SweepOnceAsync();
        await host.Sweeper.Evictions;
    }
}
