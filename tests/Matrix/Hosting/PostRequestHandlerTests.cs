using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using McpCompat.Tests.Support;

namespace McpCompat.Tests.Hosting;

/// <summary>
/// MapMcpCompat's POST on every SDK version, at its edges: a session ended under a call in flight, a body still
/// uploading, and handshakes that fail.
/// </summary>
[Collection(HostingTestTools.Collection)]
public sealed class PostRequestHandlerTests
{
    private const string InitializeParams = """{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t","version":"1"}}""";
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("delete")]
    [InlineData("shutdown")]
    public async Task SessionEndedUnderCallInFlight_CallEndsWithSessionNotFound_NothingUnhandled(string endedBy)
    {
        HostingTestTools.Reset();
        await using var host = await CompatTestHost.StartAsync();
        var id = await host.Client.InitializeAsync();
        var call = MapMcpCompatTests.SendAsync(host, HttpMethod.Post, """{"jsonrpc":"2.0","id":"call-7","method":"tools/call","params":{"name":"wait","arguments":{}}}""", id);
        await HostingTestTools.Entered;

        if (endedBy == "delete")
        {
            Assert.Equal(HttpStatusCode.OK, await host.Client.DeleteAsync(id));
        }
        else
        {
            await host.Store.EndAllAsync();
        }

        var (status, body, response) = await call;
        response.Dispose();
        var message = RawMcpClient.ReadMessage(body);
        Assert.True(status is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{(int)status}: {body}");
        Assert.Equal(-32001, (int?)message?["error"]?["code"]);
        if (status == HttpStatusCode.OK)
        {
            // The answer was under way (an SSE stream): the error is its last event, for the call's id.
            Assert.Equal("call-7", (string?)message?["id"]);
        }

        // ASP.NET Core's record of an exception escaping the endpoint (the SDK's own record of the canceled tool is not it).
        Assert.DoesNotContain(host.Logs.GetSnapshot(), r => r.Message.Contains("An unhandled exception was thrown by the application", StringComparison.Ordinal));
        Assert.Equal(0, host.Store.Count);
        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
    }

    [Fact]
    public async Task BodyStillUploading_SessionActive_NotSwept()
    {
        await using var host = await CompatTestHost.StartAsync();
        var id = await host.Client.InitializeAsync();
        var text = new string('x', 2500);
        var body = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = 5,
            ["method"] = "tools/call",
            ["params"] = new JsonObject { ["name"] = "echo", ["arguments"] = new JsonObject { ["message"] = text } },
        }.ToJsonString());
        var content = new SlowContent(body, firstPart: 1000);
        var post = MapMcpCompatTests.SendAsync(host, HttpMethod.Post, sessionId: id, configure: r => r.Content = content);
        await content.FirstPartSent;

        // Polls: the request's first part crosses a real socket, and McpCompat counts it in with no signal: wait (bounded) until it counts.
        var session = host.Tracker.Find(id)!;
        await Eventually.WaitForAsync(() => Task.FromResult(session.InFlight), n => n > 0, TimeSpan.FromSeconds(5));

        host.Time.Advance(IdleTimeout * 2);
        await host.Sweeper.SweepOnceAsync();
        content.SendRest();

        var (status, answer, response) = await post;
        response.Dispose();
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(text, (string?)RawMcpClient.ReadMessage(answer)?["result"]?["content"]?[0]?["text"]);
        Assert.Equal(0, host.Tracker.Find(id)!.InFlight);
    }

    [Fact]
    public async Task BadBodyOfLiveSession_CountedOut_SessionStillExpires()
    {
        await using var host = await CompatTestHost.StartAsync();
        var id = await host.Client.InitializeAsync();

        Assert.Equal(HttpStatusCode.BadRequest, (await MapMcpCompatTests.SendAsync(host, HttpMethod.Post, "{not json", id)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await MapMcpCompatTests.SendAsync(host, HttpMethod.Post, "[]", id)).Status);

        Assert.Equal(0, host.Tracker.Find(id)!.InFlight);
        host.Time.Advance(IdleTimeout);
        await host.Sweeper.SweepOnceAsync();
        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
    }

    [Theory]
    [InlineData("""{"id":1,"method":"initialize","params":P}""")]
    [InlineData("""{"jsonrpc":"1.0","id":1,"method":"initialize","params":P}""")]
    [InlineData("""{"jsonrpc":"2.0","id":{"n":1},"method":"initialize","params":P}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1.5,"method":"initialize","params":P}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":"x"}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"initialize"}""")]
    [InlineData("""{"jsonrpc":"2.0","method":"initialize","params":P}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t<FF>","version":"1"}}}""")]
    public async Task FailedInitialize_400_LeavesNothingBehind(string message)
    {
        await using var host = await CompatTestHost.StartAsync(o => o.MaxSessions = 1);
        // <FF> stands for a byte that is not UTF-8.
        var parts = message.Replace("\"params\":P", $"\"params\":{InitializeParams}", StringComparison.Ordinal).Split("<FF>");
        var body = parts.Skip(1).Aggregate(Encoding.UTF8.GetBytes(parts[0]), (bytes, part) => [.. bytes, 0xFF, .. Encoding.UTF8.GetBytes(part)]);

        var (status, answer, response) = await MapMcpCompatTests.SendAsync(host, HttpMethod.Post, configure: r =>
            r.Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(-32600, (int?)JsonNode.Parse(answer)?["error"]?["code"]);
        Assert.False(response.Headers.Contains("Mcp-Session-Id"), answer);
        Assert.Equal(0, host.Store.Count);
        Assert.Equal(0, host.Tracker.Count);

        // No room taken: the one session MaxSessions allows starts.
        await host.Client.InitializeAsync();
        Assert.Equal(1, host.Store.Count);
    }

    [Fact]
    public async Task InitializeTheServerRefuses_NoSessionLeft()
    {
        await using var host = await CompatTestHost.StartAsync();

        // JSON-RPC 2.0 in shape, but params lacks what the SDK's initialize requires.
        var (status, answer, response) = await MapMcpCompatTests.SendAsync(host, HttpMethod.Post, """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":"none"}}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotNull(JsonNode.Parse(answer)?["error"]?["code"]);
        Assert.False(response.Headers.Contains("Mcp-Session-Id"), answer);
        Assert.Equal(0, host.Store.Count);
        Assert.Equal(0, host.Tracker.Count);
    }

    /// <summary>A request body sent in two parts: the second only when the test says so.</summary>
    private sealed class SlowContent : HttpContent
    {
        private readonly byte[] _body;
        private readonly int _firstPart;
        private readonly TaskCompletionSource _firstPartSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _sendRest = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public SlowContent(byte[] body, int firstPart)
        {
            _body = body;
            _firstPart = firstPart;
            Headers.ContentType = new("application/json");
        }

        public Task FirstPartSent => _firstPartSent.Task;

        public void SendRest() => _sendRest.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(_body.AsMemory(0, _firstPart));
            await stream.FlushAsync();
            _firstPartSent.TrySetResult();
            await _sendRest.Task;
            await stream.WriteAsync(_body.AsMemory(_firstPart));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _body.Length;
            return true;
        }
    }
}
