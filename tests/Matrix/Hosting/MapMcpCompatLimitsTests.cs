using System.Net;
using System.Text;
using McpCompat.Streams;
using McpCompat.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace McpCompat.Tests.Hosting;

/// <summary>MapMcpCompat's bounds: the total session limit, and keep-alives on quiet GET streams and POST answers.</summary>
[Collection(HostingTestTools.Collection)]
public sealed class MapMcpCompatLimitsTests
{
    private const string Initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""";

    [Fact]
    public async Task GetStream_QuietForKeepAliveInterval_ReceivesComment()
    {
        await using var host = await CompatTestHost.StartAsync(o => o.KeepAliveInterval = TimeSpan.FromSeconds(15));
        var id = await host.Client.InitializeAsync();
        using var stream = await host.Client.OpenGetStreamAsync(id);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        var scheduler = host.App.Services.GetRequiredService<KeepAliveScheduler>();

        // The stream is watched, its timer started, before the response's headers left the server.
        var reading = reader.ReadLineAsync();
        await host.Time.TickAsync(scheduler, scheduler.TicksToKeepAlive());
        var line = await reading.WaitAsync(FakeClock.Bound);

        Assert.Equal(": keep-alive", line);
    }

    [Fact]
    public async Task PostAnswer_OfAHeldCall_ReceivesCommentsBetweenEvents_ThenItsResultWhole()
    {
        HostingTestTools.Reset();
        await using var host = await CompatTestHost.StartAsync(o => o.KeepAliveInterval = TimeSpan.FromSeconds(15));
        var id = await host.Client.InitializeAsync();
        var sending = host.Client.SendRequestAsync(id, "tools/call", new System.Text.Json.Nodes.JsonObject { ["name"] = "wait", ["arguments"] = new System.Text.Json.Nodes.JsonObject() });
        await HostingTestTools.Entered;

        // The answer's headers leave before the call ends, its stream watched from then.
        var scheduler = host.App.Services.GetRequiredService<KeepAliveScheduler>();
        using var response = await sending.WaitAsync(FakeClock.Bound);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        await host.Time.TickAsync(scheduler, scheduler.TicksToKeepAlive());
        string? line;
        do
        {
            line = await reader.ReadLineAsync().WaitAsync(FakeClock.Bound);
        }
        while (line is not null && !line.StartsWith(':'));

        Assert.Equal(": keep-alive", line);
        HostingTestTools.ReleaseAll();
        var rest = await reader.ReadToEndAsync();
        Assert.Equal("released", (string?)RawMcpClient.ReadMessage(rest)?["result"]?["content"]?[0]?["text"]);
    }

    [Fact]
    public async Task MaxSessions_NewSessionEndsLongestIdle()
    {
        await using var host = await CompatTestHost.StartAsync(o => o.MaxSessions = 2);
        var first = await host.Client.InitializeAsync();
        host.Time.Advance(TimeSpan.FromSeconds(1));
        var second = await host.Client.InitializeAsync();
        host.Time.Advance(TimeSpan.FromSeconds(1));

        var third = await host.Client.InitializeAsync();

        Assert.Equal(2, host.Store.Count);
        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(first));
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(second));
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(third));
    }

    [Fact]
    public async Task MaxSessions_AllActive_503WithRetryAfter()
    {
        HostingTestTools.Reset();
        await using var host = await CompatTestHost.StartAsync(o => o.MaxSessions = 1);
        var busy = await host.Client.InitializeAsync();
        var call = host.Client.CallToolAsync(busy, "wait");
        await HostingTestTools.Entered;

        using var request = new HttpRequestMessage(HttpMethod.Post, host.Endpoint) { Content = new StringContent(Initialize, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
        using var response = await host.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("MaxSessions", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        HostingTestTools.ReleaseAll();
        Assert.Equal(HttpStatusCode.OK, (await call).Status);
        Assert.Equal(1, host.Store.Count);
    }
}
