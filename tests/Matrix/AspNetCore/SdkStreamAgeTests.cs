using System.Net.Http.Headers;
using System.Net;
using System.Text.Json.Nodes;
using McpCompat.Streams;
using McpCompat.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Server;

namespace McpCompat.Tests.AspNetCore;

/// <summary>
/// <see cref="McpCompatOptions.MaxStreamAge"/> on the SDK's own <c>MapMcp</c> with the SDK's event stream store, on the
/// native and the fallback path: the GET stream, which carries event ids, ends cleanly once old, and the client resumes
/// it with <c>Last-Event-ID</c> and gets what the server sent meanwhile; the session lives on.
/// </summary>
public sealed class SdkStreamAgeTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(McpCompatMode.Auto)]
    [InlineData(McpCompatMode.Fallback)]
    public async Task OldGetStream_EndsCleanly_ResumedWithoutLoss(McpCompatMode mode)
    {
        await using var host = await McpTestHost.StartAsync(o =>
        {
            o.Mode = mode;
            o.SessionIdleTimeout = TimeSpan.FromMinutes(5);
            o.MaxStreamAge = TimeSpan.FromMinutes(1);
        }, services: s =>
        {
            SdkEventStreamStore.Add(s);
            // Hosts from 1.0.0 take the registered store themselves; 0.8.0-preview.1's takes one only from its options.
            s.AddOptions<HttpServerTransportOptions>().Configure<IServiceProvider>((o, sp) => o.EventStreamStore ??= sp.GetService<ISseEventStreamStore>());
        });
        var scheduler = host.App.Services.GetRequiredService<KeepAliveScheduler>();
        var tools = host.App.Services.GetRequiredService<IOptions<McpServerOptions>>().Value.ToolCollection!;
        var client = new RawMcpClient(host.Http, host.Endpoint, "2025-11-25");
        var id = await client.InitializeAsync();

        using var first = await client.OpenGetStreamAsync(id);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var reader = new SseReader(await first.Content.ReadAsStreamAsync());
        var lastSeen = (await reader.NextAsync().WaitAsync(Bound)).Id;
        Assert.False(string.IsNullOrEmpty(lastSeen));

        var ended = reader.EndAsync();
        await host.Time.TickAsync(scheduler, scheduler.TicksToAge());
        await ended.WaitAsync(FakeClock.Bound);

        // Sent after the stream ended for its age: the resumed stream carries it.
        tools.Add(McpServerTool.Create(() => "x", new McpServerToolCreateOptions { Name = "added" }));
        using var request = new HttpRequestMessage(HttpMethod.Get, host.Endpoint);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Add("Mcp-Session-Id", id);
        request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        request.Headers.Add("Last-Event-ID", lastSeen);
        using var resumed = await host.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        using var replay = new SseReader(await resumed.Content.ReadAsStreamAsync());
        var next = await replay.NextAsync().WaitAsync(Bound);
        Assert.Equal("notifications/tools/list_changed", (string?)JsonNode.Parse(next.Data)?["method"]);

        // The resumed stream (the SDK's replay from the store) ends for its age as cleanly as the first.
        var resumedEnded = replay.EndAsync();
        await host.Time.TickAsync(scheduler, scheduler.TicksToAge());
        await resumedEnded.WaitAsync(FakeClock.Bound);

        Assert.Equal(HttpStatusCode.OK, await client.PingAsync(id));
        host.Logs.AssertNothingUnhandled();
    }
}
