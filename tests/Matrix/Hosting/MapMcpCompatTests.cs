using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace McpCompat.Tests.Hosting;

/// <summary>
/// MapMcpCompat on every SDK version: the Streamable HTTP protocol, session ownership, and idle expiry.
/// The hosted sweeper also ticks on the fake clock; sweeps never overlap, so once <c>SweepOnceAsync</c> returns,
/// every due session is gone.
/// </summary>
[Collection(HostingTestTools.Collection)]
public sealed class MapMcpCompatTests
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Sends one raw request and reads the whole answer.</summary>
    internal static async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> SendAsync(
        CompatTestHost host, HttpMethod method, string? body = null, string? sessionId = null, string accept = "application/json, text/event-stream",
        Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, host.Endpoint);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        if (sessionId is not null)
        {
            request.Headers.Add("Mcp-Session-Id", sessionId);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        configure?.Invoke(request);
        var response = await host.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    [Fact]
    public async Task Initialize_StartsSession_ToolsAnswer()
    {
        await using var host = await CompatTestHost.StartAsync();

        var id = await host.Client.InitializeAsync();
        var (status, message) = await host.Client.CallToolAsync(id, "echo", new JsonObject { ["message"] = "hello" });
        var (listStatus, list) = await host.Client.RequestAsync(id, "tools/list");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("hello", (string?)message?["result"]?["content"]?[0]?["text"]);
        Assert.Equal(HttpStatusCode.OK, listStatus);
        Assert.Contains(list!["result"]!["tools"]!.AsArray(), t => (string?)t?["name"] == "echo");
        Assert.Equal(1, host.Store.Count);
        Assert.Equal(0, host.Tracker.Find(id)!.InFlight);
    }

    [Fact]
    public async Task Startup_LogsOneWarning_NamingTheHostingAndShape()
    {
        await using var host = await CompatTestHost.StartAsync();

        var warning = Assert.Single(host.Logs.GetSnapshot(), r => r.Level >= LogLevel.Warning);
        Assert.Equal("HostedPath", warning.Id.Name);
        Assert.Contains("MapMcpCompat", warning.Message, StringComparison.Ordinal);
        Assert.Contains("no idle timeout of its own", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostWithoutSession_NotInitialize_400()
    {
        await using var host = await CompatTestHost.StartAsync();

        var (status, body, _) = await SendAsync(host, HttpMethod.Post, """{"jsonrpc":"2.0","id":1,"method":"ping"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Mcp-Session-Id", body, StringComparison.Ordinal);
        Assert.Equal(0, host.Store.Count);
    }

    [Fact]
    public async Task UnknownSession_404WithSessionNotFound()
    {
        await using var host = await CompatTestHost.StartAsync();

        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Get, HttpMethod.Delete })
        {
            var (status, body, _) = await SendAsync(host, method, method == HttpMethod.Post ? """{"jsonrpc":"2.0","id":1,"method":"ping"}""" : null, sessionId: "no-such-session");
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.Equal(-32001, (int?)JsonNode.Parse(body)?["error"]?["code"]);
        }
    }

    [Fact]
    public async Task AcceptHeader_Checked()
    {
        await using var host = await CompatTestHost.StartAsync();
        var id = await host.Client.InitializeAsync();

        var post = await SendAsync(host, HttpMethod.Post, """{"jsonrpc":"2.0","id":1,"method":"ping"}""", id, accept: "application/json");
        var get = await SendAsync(host, HttpMethod.Get, sessionId: id, accept: "application/json");

        Assert.Equal(HttpStatusCode.NotAcceptable, post.Status);
        Assert.Equal(HttpStatusCode.NotAcceptable, get.Status);
    }

    [Theory]
    [InlineData("application/json, text/event-stream", true)]
    [InlineData("text/event-stream;q=0.9,application/json;q=1", true)]
    [InlineData("APPLICATION/JSON , Text/Event-Stream", true)]
    [InlineData("*/*", true)]
    [InlineData("application/*, text/*", true)]
    [InlineData("application/json", false)]
    [InlineData("text/event-stream; charset=utf-8", false)]
    [InlineData("application/jsonx, text/event-streams", false)]
    [InlineData("text/*", false)]
    [InlineData(",,; ,", false)]
    public async Task PostAcceptHeader_BothMediaTypesNeeded_WhateverTheCaseParametersAndWildcards(string accept, bool accepted)
    {
        await using var host = await CompatTestHost.StartAsync();
        var id = await host.Client.InitializeAsync();

        var post = await SendAsync(host, HttpMethod.Post, """{"jsonrpc":"2.0","id":1,"method":"ping"}""", id, accept: accept,
            configure: r => r.Headers.Add("MCP-Protocol-Version", CompatTestHost.ProtocolVersion));

        Assert.True(accepted ? post.Status == HttpStatusCode.OK : post.Status == HttpStatusCode.NotAcceptable, $"{accept}: {(int)post.Status} {post.Body}");
    }

    [Fact]
    public async Task BadBodies_400()
    {
        await using var host = await CompatTestHost.StartAsync();
        var id = await host.Client.InitializeAsync();

        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(host, HttpMethod.Post, "{not json", id)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(host, HttpMethod.Post, "[]", id)).Status);
    }

    [Fact]
    public async Task OtherMethods_405WithAllow()
    {
        await using var host = await CompatTestHost.StartAsync();

        var (status, _, response) = await SendAsync(host, HttpMethod.Put, "{}");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, status);
        Assert.Equal(["GET", "POST", "DELETE"], response.Content.Headers.Allow.Count > 0 ? response.Content.Headers.Allow : response.Headers.GetValues("Allow").Single().Split(", "));
    }

    [Fact]
    public async Task UnsupportedProtocolVersionHeader_400()
    {
        await using var host = await CompatTestHost.StartAsync();
        var id = await host.Client.InitializeAsync();

        var (status, body, _) = await SendAsync(host, HttpMethod.Post, """{"jsonrpc":"2.0","id":1,"method":"ping"}""", id,
            configure: r => r.Headers.Add("MCP-Protocol-Version", "1999-01-01"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("1999-01-01", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForeignHostOrOrigin_403_UnlessAllowed()
    {
        await using var host = await CompatTestHost.StartAsync();
        const string Initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""";

        var foreignHost = await SendAsync(host, HttpMethod.Post, Initialize, configure: r => r.Headers.Host = "evil.example");
        var foreignOrigin = await SendAsync(host, HttpMethod.Post, Initialize, configure: r => r.Headers.Add("Origin", "http://evil.example"));
        var loopbackOrigin = await SendAsync(host, HttpMethod.Post, Initialize, configure: r => r.Headers.Add("Origin", "http://localhost:3000"));

        Assert.Equal(HttpStatusCode.Forbidden, foreignHost.Status);
        Assert.Contains("evil.example", foreignHost.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, foreignOrigin.Status);
        Assert.Equal(HttpStatusCode.OK, loopbackOrigin.Status);
        Assert.Equal(1, host.Store.Count);
    }

    [Fact]
    public async Task ConfiguredHostAndOrigin_Allowed()
    {
        await using var host = await CompatTestHost.StartAsync(o =>
        {
            o.AllowedHosts.Add("mcp.example");
            o.AllowedOrigins.Add("https://app.example");
        });
        const string Initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""";

        var response = await SendAsync(host, HttpMethod.Post, Initialize, configure: r =>
        {
            r.Headers.Host = "mcp.example";
            r.Headers.Add("Origin", "https://app.example");
        });

        Assert.Equal(HttpStatusCode.OK, response.Status);
    }

    [Fact]
    public async Task Delete_EndsSession_Then404()
    {
        await using var host = await CompatTestHost.StartAsync();
        var id = await host.Client.InitializeAsync();

        Assert.Equal(HttpStatusCode.OK, await host.Client.DeleteAsync(id));

        Assert.Equal(0, host.Store.Count);
        Assert.Equal(0, host.Tracker.Count);
        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
        Assert.Equal(HttpStatusCode.NotFound, await host.Client.DeleteAsync(id));
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(host, HttpMethod.Delete)).Status);
    }

    [Fact]
    public async Task IdlePastTimeout_Ended_Then404()
    {
        await using var host = await CompatTestHost.StartAsync();
        var id = await host.Client.InitializeAsync();
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));

        host.Time.Advance(IdleTimeout - TimeSpan.FromSeconds(1));
        await host.Sweeper.SweepOnceAsync();
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));

        host.Time.Advance(IdleTimeout);
        await host.Sweeper.SweepOnceAsync();

        var (status, message) = await host.Client.RequestAsync(id, "ping");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(-32001, (int?)message?["error"]?["code"]);
        Assert.Equal(0, host.Store.Count);
        Assert.Equal(0, host.Tracker.Count);
    }

    [Fact]
    public async Task ToolCallInFlightPastTimeout_Kept_CallCompletes()
    {
        HostingTestTools.Reset();
        await using var host = await CompatTestHost.StartAsync();
        var id = await host.Client.InitializeAsync();

        var call = host.Client.CallToolAsync(id, "wait");
        await HostingTestTools.Entered;
        host.Time.Advance(IdleTimeout * 3);
        await host.Sweeper.SweepOnceAsync();
        Assert.Equal(1, host.Store.Count);

        HostingTestTools.ReleaseAll();
        var (status, message) = await call;
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("released", (string?)message?["result"]?["content"]?[0]?["text"]);
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));
    }

    [Fact]
    public async Task GetStream_KeepsSessionActive_OneAtATime_ClosedStreamLetsItExpire()
    {
        await using var host = await CompatTestHost.StartAsync();
        var id = await host.Client.InitializeAsync();

        var stream = await host.Client.OpenGetStreamAsync(id);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        var second = await host.Client.OpenGetStreamAsync(id);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        second.Dispose();

        host.Time.Advance(IdleTimeout * 2);
        await host.Sweeper.SweepOnceAsync();
        Assert.Equal(1, host.Store.Count);

        stream.Dispose();
        var session = host.Tracker.Find(id)!;
        // The stream's request ends once Kestrel has noticed the connection closed.
        await host.Requests.NoneAsync();
        Assert.Equal(0, session.InFlight);

        host.Time.Advance(IdleTimeout);
        await host.Sweeper.SweepOnceAsync();
        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
    }

    [Fact]
    public async Task OtherUser_403_SessionLivesOn()
    {
        await using var host = await CompatTestHost.StartAsync(requireAuthorization: true);
        var alice = host.ClientFor("alice");
        var bob = host.ClientFor("bob");
        var id = await alice.InitializeAsync();

        Assert.Equal(HttpStatusCode.Forbidden, await bob.PingAsync(id));
        Assert.Equal(HttpStatusCode.Forbidden, await bob.DeleteAsync(id));
        Assert.Equal(HttpStatusCode.OK, await alice.PingAsync(id));
        Assert.Equal(HttpStatusCode.OK, await alice.DeleteAsync(id));
    }

    [Fact]
    public async Task Shutdown_EndsEverySession()
    {
        var host = await CompatTestHost.StartAsync();
        var store = host.Store;
        for (var i = 0; i < 5; i++)
        {
            await host.Client.InitializeAsync();
        }

        Assert.Equal(5, store.Count);
        await host.DisposeAsync();

        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task ToolThatThrows_SessionAnswersThenExpires_NothingLeaks()
    {
        await using var host = await CompatTestHost.StartAsync();
        var id = await host.Client.InitializeAsync();

        for (var i = 0; i < 20; i++)
        {
            var (status, message) = await host.Client.CallToolAsync(id, "fail");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.True(message?["error"] is not null || (bool?)message?["result"]?["isError"] == true, message?.ToJsonString());
        }

        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));
        Assert.Equal(0, host.Tracker.Find(id)?.InFlight);

        host.Time.Advance(IdleTimeout);
        await host.Sweeper.SweepOnceAsync();
        Assert.Equal(0, host.Store.Count);
        Assert.Equal(0, host.Tracker.Count);
        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
    }

    [Fact]
    public async Task RequestsRacingEvictions_AnswerOkOr404_NeverHangOr500_NothingHeldAfter()
    {
        var gate = new Support.RequestGate();
        await using var host = await CompatTestHost.StartAsync(services: gate.Register);

        // One round of 500 per cell: every cell of the matrix runs it (thousands of racing requests per run of the matrix).
        var (ok, notFound) = await Support.EvictionRace.RunRoundsAsync(
            new(host.App, host.Time, host.Client, gate, id => host.Store.Find(id) is not null, () => host.Store.Count + host.Tracker.Count), rounds: 1, perRound: 500);

        Assert.Equal(500, ok + notFound);
        Assert.True(ok > 0, "no request kept its session");
        Assert.True(notFound > 0, "no request met an ended session");
    }
}
