using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using McpCompat.Tests.Support;

namespace McpCompat.Tests.AspNetCore;

/// <summary>
/// <c>McpCompat:Guard</c>: MapMcpCompat's request checks in front of the SDK's own MapMcp, on the native and the
/// fallback path; off by default, leaving the SDK's answers as they were.
/// </summary>
public sealed class SdkEndpointGuardTests
{
    private const string Initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""";
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    private static Task<McpTestHost> StartAsync(McpCompatMode mode, bool guard = true) => McpTestHost.StartAsync(o =>
    {
        o.Mode = mode;
        o.Guard = guard;
        o.SessionIdleTimeout = IdleTimeout;
    });

    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(
        McpTestHost host, string? body = Initialize, string? contentType = "application/json", string accept = "application/json, text/event-stream",
        Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, host.Endpoint);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = contentType is null ? null : new MediaTypeHeaderValue(contentType);
        }

        configure?.Invoke(request);
        using var response = await host.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static int? ErrorCode(string body) => (int?)JsonNode.Parse(body)?["error"]?["code"];

    [Theory]
    [InlineData(McpCompatMode.Auto)]
    [InlineData(McpCompatMode.Fallback)]
    public async Task ForeignHostOrOrigin_403_LoopbackServed(McpCompatMode mode)
    {
        await using var host = await StartAsync(mode);

        var foreignHost = await PostAsync(host, configure: r => r.Headers.Host = "evil.example");
        var foreignOrigin = await PostAsync(host, configure: r => r.Headers.Add("Origin", "http://evil.example"));
        var loopbackOrigin = await PostAsync(host, configure: r => r.Headers.Add("Origin", "http://localhost:3000"));

        Assert.Equal(HttpStatusCode.Forbidden, foreignHost.Status);
        Assert.Equal("Forbidden: host 'evil.example' is not allowed (McpCompat:AllowedHosts)", (string?)JsonNode.Parse(foreignHost.Body)?["error"]?["message"]);
        Assert.Equal(-32000, ErrorCode(foreignHost.Body));
        Assert.Equal(HttpStatusCode.Forbidden, foreignOrigin.Status);
        Assert.Equal(HttpStatusCode.OK, loopbackOrigin.Status);
        host.Logs.AssertNothingUnhandled();
    }

    [Theory]
    [InlineData(McpCompatMode.Auto)]
    [InlineData(McpCompatMode.Fallback)]
    public async Task GetAndDelete_ForeignHost_403_SessionLivesOn(McpCompatMode mode)
    {
        await using var host = await StartAsync(mode);
        var id = await host.Client.InitializeAsync();

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Delete })
        {
            using var request = new HttpRequestMessage(method, host.Endpoint);
            request.Headers.TryAddWithoutValidation("Accept", "text/event-stream");
            request.Headers.Add("Mcp-Session-Id", id);
            request.Headers.Host = "evil.example";
            using var response = await host.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));
    }

    [Theory]
    [InlineData(McpCompatMode.Auto)]
    [InlineData(McpCompatMode.Fallback)]
    public async Task BadPosts_AnsweredAsMapMcpCompatAnswers_Not500(McpCompatMode mode)
    {
        await using var host = await StartAsync(mode);

        var noContentType = await PostAsync(host, contentType: null);
        var notAcceptable = await PostAsync(host, accept: "application/json");
        var notJson = await PostAsync(host, body: "{not json");
        var notOneMessage = await PostAsync(host, body: "[]");
        var tooLarge = await PostAsync(host, body: new string(' ', (4 * 1024 * 1024) + 1));
        var notJsonRpc = await PostAsync(host, body: """{"hello":"world"}""");
        var badInitializeParams = await PostAsync(host, body: """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18"}}""");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, noContentType.Status);
        Assert.Equal(HttpStatusCode.NotAcceptable, notAcceptable.Status);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.Status);
        Assert.Equal(-32700, ErrorCode(notJson.Body));
        Assert.Equal(HttpStatusCode.BadRequest, notOneMessage.Status);
        Assert.Equal(-32600, ErrorCode(notOneMessage.Body));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.Status);
        Assert.Equal(HttpStatusCode.BadRequest, notJsonRpc.Status);
        Assert.Equal(-32600, ErrorCode(notJsonRpc.Body));
        Assert.Equal(HttpStatusCode.BadRequest, badInitializeParams.Status);
        Assert.Equal(-32602, ErrorCode(badInitializeParams.Body));
        host.Logs.AssertNothingUnhandled();
    }

    [Theory]
    [InlineData(McpCompatMode.Auto)]
    [InlineData(McpCompatMode.Fallback)]
    public async Task LegacyMessage_BodyOverLimitOrNotOneObject_Refused_GoodMessageServed(McpCompatMode mode)
    {
        // The legacy HTTP with SSE endpoints: mapped on a stateful server by the 1.x hosts, and by the 2.x hosts only
        // with their (obsolete) EnableLegacySse, set here by name.
        await using var host = await McpTestHost.StartAsync(
            o =>
            {
                o.Mode = mode;
                o.Guard = true;
                o.SessionIdleTimeout = IdleTimeout;
            },
            transport: o => o.GetType().GetProperty("EnableLegacySse")?.SetValue(o, true));
        var sse = new Uri(host.Endpoint + "/sse");
        using var stream = await host.Http.GetAsync(sse, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        string? message = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                message = line["data: ".Length..];
                break;
            }
        }

        Assert.NotNull(message);
        var messageUri = new Uri(host.Endpoint, message);
        async Task<(HttpStatusCode Status, string Body)> PostMessageAsync(string body, string? hostHeader = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, messageUri) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (hostHeader is not null)
            {
                request.Headers.Host = hostHeader;
            }

            using var response = await host.Http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var foreignHost = await PostMessageAsync(Initialize, hostHeader: "evil.example");
        var tooLarge = await PostMessageAsync(new string(' ', (4 * 1024 * 1024) + 1));
        var notJson = await PostMessageAsync("{not json");
        var notOneMessage = await PostMessageAsync("[]");
        var good = await PostMessageAsync(Initialize);

        Assert.Equal(HttpStatusCode.Forbidden, foreignHost.Status);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.Status);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.Status);
        Assert.Equal(-32700, ErrorCode(notJson.Body));
        Assert.Equal(HttpStatusCode.BadRequest, notOneMessage.Status);
        Assert.Equal(-32600, ErrorCode(notOneMessage.Body));
        Assert.Equal(HttpStatusCode.Accepted, good.Status);
        host.Logs.AssertNothingUnhandled();
    }

    [Theory]
    [InlineData(McpCompatMode.Auto)]
    [InlineData(McpCompatMode.Fallback)]
    public async Task Session_ThroughTheGuard_ServedAndEnded(McpCompatMode mode)
    {
        await using var host = await StartAsync(mode);
        var id = await host.Client.InitializeAsync();

        var (status, message) = await host.Client.CallToolAsync(id, "echo", new JsonObject { ["message"] = "hi" });
        using (var stream = await host.Client.OpenGetStreamAsync(id))
        {
            Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("hi", (string?)message?["result"]?["content"]?[0]?["text"]);
        Assert.Equal(HttpStatusCode.OK, await host.Client.DeleteAsync(id));
        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
    }

    [Fact]
    public async Task Fallback_IdleSession_EndedByInProcessDeleteThroughTheGuard()
    {
        await using var host = await StartAsync(McpCompatMode.Fallback);
        var id = await host.Client.InitializeAsync();

        host.Time.Advance(IdleTimeout);
        await host.Sweeper.SweepOnceAsync();

        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
        Assert.Equal(0, host.Tracker.Count);
    }

    [Fact]
    public async Task FromConfiguration_GuardOn_ForeignHost403()
    {
        await using var host = await McpTestHost.StartAsync(settings: new Dictionary<string, string?> { ["McpCompat:Guard"] = "true" });

        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(host, configure: r => r.Headers.Host = "evil.example")).Status);
    }

    [Fact]
    public async Task Off_TheDefault_SdkAnswersAsBefore()
    {
        await using var host = await McpTestHost.StartAsync();

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(host, configure: r => r.Headers.Host = "evil.example")).Status);
    }
}
