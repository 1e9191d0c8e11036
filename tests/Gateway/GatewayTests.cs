using System.Net;
using System.Text;
using McpCompat.Sessions;
using McpCompat.Streams;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpCompat.Gateway.Tests;

/// <summary>The gateway in front of the C# SDK's own host with no McpCompat inside: sessions bounded whatever the upstream does.</summary>
[Collection(Collection)]
public sealed class GatewayTests
{
    /// <summary>The tests share the upstream tools' gate: one at a time.</summary>
    public const string Collection = "gateway upstream tools";

    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Initialize_ClientGetsTheGatewaysId_UpstreamSeesItsOwn()
    {
        await using var host = await GatewayHost.StartAsync();

        var id = await host.Client.InitializeAsync();
        var (status, message) = await host.Client.CallToolAsync(id, "echo", """{"text":"hello"}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("hello", (string?)message?["result"]?["content"]?[0]?["text"]);
        var upstreamId = Assert.Single(host.Upstream.SessionIdsOf("POST").Distinct());
        Assert.NotEqual(id, upstreamId);
        Assert.Equal(upstreamId, host.Sessions.Find(id)?.UpstreamId);
        Assert.Equal(1, host.Sessions.Count);
    }

    [Fact]
    public async Task IdlePastTimeout_EndedUpstreamWithDelete_ThenGone()
    {
        await using var host = await GatewayHost.StartAsync();
        var id = await host.Client.InitializeAsync();
        var upstreamId = host.Sessions.Find(id)!.UpstreamId;

        host.Time.Advance(IdleTimeout - TimeSpan.FromSeconds(1));
        await host.Sweeper.SweepOnceAsync();
        Assert.Equal(HttpStatusCode.OK, (await host.Client.RequestAsync(id, "ping")).Status);
        Assert.Empty(host.Upstream.SessionIdsOf("DELETE"));

        host.Time.Advance(IdleTimeout);
        await host.Sweeper.SweepOnceAsync();
        await host.Sweeper.Evictions;

        Assert.Equal([upstreamId], host.Upstream.SessionIdsOf("DELETE"));
        Assert.Equal(0, host.Sessions.Count);
        var (status, message) = await host.Client.RequestAsync(id, "ping");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(-32001, (int?)message?["error"]?["code"]);
        // The upstream let the session go too: its own id answers 404 there.
        Assert.Equal(HttpStatusCode.NotFound, (await host.Direct.RequestAsync(upstreamId, "ping")).Status);
    }

    [Fact]
    public async Task CallInFlightPastTimeout_Kept_CallCompletes()
    {
        UpstreamTools.Reset();
        await using var host = await GatewayHost.StartAsync();
        var id = await host.Client.InitializeAsync();

        var call = host.Client.CallToolAsync(id, "wait");
        await UpstreamTools.EnteredAsync(1).WaitAsync(TimeSpan.FromSeconds(30));
        host.Time.Advance(IdleTimeout * 3);
        await host.Sweeper.SweepOnceAsync();
        UpstreamTools.ReleaseAll();

        var (status, message) = await call;
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("released", (string?)message?["result"]?["content"]?[0]?["text"]);
        Assert.Equal(1, host.Sessions.Count);
        Assert.Empty(host.Upstream.SessionIdsOf("DELETE"));
    }

    [Fact]
    public async Task ClientDelete_RelayedWithTheUpstreamsId_ThenFinal()
    {
        await using var host = await GatewayHost.StartAsync();
        var id = await host.Client.InitializeAsync();
        var upstreamId = host.Sessions.Find(id)!.UpstreamId;

        Assert.Equal(HttpStatusCode.OK, await host.Client.DeleteAsync(id));

        Assert.Equal([upstreamId], host.Upstream.SessionIdsOf("DELETE"));
        Assert.Equal(0, host.Sessions.Count);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.RequestAsync(id, "ping")).Status);
        Assert.Equal(HttpStatusCode.NotFound, await host.Client.DeleteAsync(id));
    }

    [Fact]
    public async Task UpstreamForgotTheSession_RebuiltFromItsHandshake_ClientKeepsItsId()
    {
        await using var host = await GatewayHost.StartAsync();
        var id = await host.Client.InitializeAsync();
        Assert.Equal(HttpStatusCode.OK, (await host.Client.RequestAsync(id, "logging/setLevel", """{"level":"warning"}""")).Status);
        var upstreamId = host.Sessions.Find(id)!.UpstreamId;
        Assert.Equal(HttpStatusCode.OK, await host.Direct.DeleteAsync(upstreamId));

        var (status, message) = await host.Client.CallToolAsync(id, "echo", """{"text":"still here"}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("still here", (string?)message?["result"]?["content"]?[0]?["text"]);
        var rebuilt = host.Sessions.Find(id)!.UpstreamId;
        Assert.NotEqual(upstreamId, rebuilt);
        // The whole handshake again, under the new upstream id: initialize, initialized, the logging level.
        Assert.Equal(2, host.Upstream.Count("initialize"));
        Assert.Contains(("notifications/initialized", rebuilt), host.Upstream.Messages);
        Assert.Contains(("logging/setLevel", rebuilt), host.Upstream.Messages);
        Assert.Equal(1, host.Sessions.Count);
    }

    [Fact]
    public async Task UpstreamRestarted_SessionRebuilt_EveryCallAnswered()
    {
        await using var host = await GatewayHost.StartAsync();
        var id = await host.Client.InitializeAsync();
        Assert.Equal(HttpStatusCode.OK, (await host.Client.CallToolAsync(id, "echo", """{"text":"before"}""")).Status);

        host.Upstreams[0] = await host.Upstream.RestartAsync();
        var (status, message) = await host.Client.CallToolAsync(id, "echo", """{"text":"after"}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("after", (string?)message?["result"]?["content"]?[0]?["text"]);
        Assert.Equal(1, host.Upstream.Count("initialize"));
        Assert.NotNull(host.Sessions.Find(id));
    }

    [Fact]
    public async Task ReplicaGone_SessionRebuiltOnAnother_ClientKeepsItsId()
    {
        await using var host = await GatewayHost.StartAsync(replicas: 2);
        var id = await host.Client.InitializeAsync();
        var first = host.Sessions.Find(id)!.Upstream;
        var (holder, other) = first.Endpoint == host.Upstreams[0].Endpoint ? (host.Upstreams[0], host.Upstreams[1]) : (host.Upstreams[1], host.Upstreams[0]);

        await holder.DisposeAsync();
        var (status, message) = await host.Client.CallToolAsync(id, "echo", """{"text":"moved"}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("moved", (string?)message?["result"]?["content"]?[0]?["text"]);
        Assert.Equal(other.Endpoint, host.Sessions.Find(id)!.Upstream.Endpoint);
        Assert.Equal(1, other.Count("initialize"));
    }

    [Fact]
    public async Task ReplicaGone_NewSessionsGoToTheOther_NoneRefused()
    {
        await using var host = await GatewayHost.StartAsync(replicas: 2);
        var gone = host.Upstreams[0];
        await gone.DisposeAsync();

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync(null, McpClient.Initialize())).Status);
        }

        Assert.Equal(4, host.Upstreams[1].Count("initialize"));
        Assert.Equal(4, host.Sessions.Count);
    }

    [Fact]
    public async Task HandshakeLargerThanRecordLimit_NotRebuilt_404PassedOn()
    {
        await using var host = await GatewayHost.StartAsync(o => o.MaxSessionRecordBytes = 256);
        var initialize = $$$$"""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"{{{{McpClient.ProtocolVersion}}}}","capabilities":{},"clientInfo":{"name":"{{{{new string('n', 400)}}}}","version":"1.0"}}}""";
        var (initialized, headers, _) = await host.Client.PostAsync(null, initialize);
        Assert.Equal(HttpStatusCode.OK, initialized);
        var id = headers.GetValues("Mcp-Session-Id").Single();
        Assert.Null(host.Sessions.Find(id)!.Handshake);
        Assert.Equal(HttpStatusCode.OK, await host.Direct.DeleteAsync(host.Sessions.Find(id)!.UpstreamId));

        var (status, message) = await host.Client.RequestAsync(id, "ping");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(-32001, (int?)message?["error"]?["code"]);
        Assert.Null(host.Sessions.Find(id));
        Assert.Equal(1, host.Upstream.Count("initialize"));
    }

    [Fact]
    public async Task LostSessionDeleted_NotRebuilt_GatewayLetsGo()
    {
        await using var host = await GatewayHost.StartAsync();
        var id = await host.Client.InitializeAsync();
        var upstreamId = host.Sessions.Find(id)!.UpstreamId;
        Assert.Equal(HttpStatusCode.OK, await host.Direct.DeleteAsync(upstreamId));
        // What this upstream answers a DELETE of a session it no longer has: the gateway passes it on unchanged.
        var upstreamAnswer = await host.Direct.DeleteAsync(upstreamId);

        Assert.Equal(upstreamAnswer, await host.Client.DeleteAsync(id));

        Assert.Null(host.Sessions.Find(id));
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.RequestAsync(id, "ping")).Status);
        Assert.Equal(1, host.Upstream.Count("initialize"));
    }

    [Fact]
    public async Task AnotherUsersSession_AnsweredAsUnknown_NothingRelayed()
    {
        await using var host = await GatewayHost.StartAsync();
        var alice = host.ClientAs("alice");
        var id = await alice.InitializeAsync();
        var relayed = host.Upstream.Requests.Count;

        var (bobStatus, bobMessage) = await host.ClientAs("bob").RequestAsync(id, "ping");
        var (anonymousStatus, _) = await host.Client.RequestAsync(id, "ping");
        var bobDelete = await host.ClientAs("bob").DeleteAsync(id);

        Assert.Equal(HttpStatusCode.NotFound, bobStatus);
        Assert.Equal(-32001, (int?)bobMessage?["error"]?["code"]);
        Assert.Equal(HttpStatusCode.NotFound, anonymousStatus);
        Assert.Equal(HttpStatusCode.NotFound, bobDelete);
        Assert.Equal(relayed, host.Upstream.Requests.Count);
        Assert.Equal(HttpStatusCode.OK, (await alice.RequestAsync(id, "ping")).Status);
    }

    [Fact]
    public async Task MaxSessions_LongestIdleMakesRoom_AllActiveGets503()
    {
        UpstreamTools.Reset();
        await using var host = await GatewayHost.StartAsync(o => o.MaxSessions = 2);
        var first = await host.Client.InitializeAsync();
        host.Time.Advance(TimeSpan.FromSeconds(1));
        var second = await host.Client.InitializeAsync();
        var firstUpstream = host.Sessions.Find(first)!.UpstreamId;

        // Room for a third: the longest-idle (the first) ends, upstream too.
        var third = await host.Client.InitializeAsync();
        Assert.Equal([firstUpstream], host.Upstream.SessionIdsOf("DELETE"));
        Assert.Null(host.Sessions.Find(first));
        Assert.Equal(2, host.Sessions.Count);

        // Both remaining sessions busy: a new one is refused, and nothing else ends.
        var calls = new[] { host.Client.CallToolAsync(second, "wait"), host.Client.CallToolAsync(third, "wait") };
        await UpstreamTools.EnteredAsync(2).WaitAsync(TimeSpan.FromSeconds(30));
        var (status, headers, message) = await host.Client.PostAsync(null, McpClient.Initialize());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("5", headers.GetValues("Retry-After").Single());
        Assert.Contains("MaxSessions", (string?)message?["error"]?["message"], StringComparison.Ordinal);
        UpstreamTools.ReleaseAll();
        await Task.WhenAll(calls);
        Assert.Equal(2, host.Sessions.Count);
    }

    [Fact]
    public async Task QuietGetStream_KeepAlivesRelayed_SessionServedOn()
    {
        await using var host = await GatewayHost.StartAsync(o => o.KeepAliveInterval = TimeSpan.FromSeconds(10));
        var scheduler = host.App.Services.GetRequiredService<KeepAliveScheduler>();
        var id = await host.Client.InitializeAsync();

        using var response = await host.Client.OpenGetStreamAsync(id);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        // Watched from before the response's headers left the gateway.
        Assert.Equal(1, scheduler.Count);
        for (var i = 0; i < (int)Math.Ceiling(scheduler.Interval / scheduler.Tick) + 1; i++)
        {
            host.Time.Advance(scheduler.Tick);
            await scheduler.LastTick.WaitAsync(TimeSpan.FromSeconds(30));
        }

        var line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(": keep-alive", line);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.RequestAsync(id, "ping")).Status);
        Assert.Equal(1, host.Sessions.Find(id)!.InFlight);
    }

    [Fact]
    public async Task Startup_OneLineSayingWhatTheGatewayDoes()
    {
        await using var host = await GatewayHost.StartAsync();

        var line = Assert.Single(host.Logs.GetSnapshot(), r => r.Id.Name == "GatewayMapped");
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Contains(host.Upstream.Endpoint.ToString(), line.Message, StringComparison.Ordinal);
        Assert.Contains("idle for 00:00:30", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Logs.GetSnapshot(), r => r.Level >= LogLevel.Warning);
    }
}
