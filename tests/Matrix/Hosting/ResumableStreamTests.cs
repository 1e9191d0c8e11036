using System.ComponentModel;
using System.Net.Http.Headers;
using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using McpCompat.Probing;
using McpCompat.Tests.Support;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpCompat.Tests.Hosting;

/// <summary>
/// Resumable streams on MapMcpCompat: with the SDK's distributed-cache event stream store in DI, streams carry event
/// ids and a priming event, a dropped stream resumes from <c>Last-Event-ID</c>, a polling tool works, and the SDK host's
/// refusals hold. On an SDK whose transport takes no store, <c>Last-Event-ID</c> is refused as the SDK's host refuses it.
/// </summary>
[Collection(HostingTestTools.Collection)]
public sealed class ResumableStreamTests
{
    /// <summary>
    /// The first revision with priming events (resumability needs it negotiated), or, on an SDK without it, the newest
    /// the SDK has.
    /// </summary>
    internal static readonly string ResumableRevision = McpSdkProbe.Current.Members.ProtocolVersions is { } known && !known.Contains("2025-11-25")
        ? known[^1]
        : "2025-11-25";

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static bool SdkHasStore => McpSdkProbe.Current.GetFeature(McpSdkFeatureKind.EventStreamStore).IsPresent;

    [Fact]
    public async Task PostAnswer_WithStore_CarriesPrimingEventAndEventIds()
    {
        await using var host = await StartAsync(withStore: true);
        var client = Client(host);
        var id = await client.InitializeAsync();

        var body = await PostRawAsync(host, id, """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hi"}}}""");
        var events = SseEvent.Parse(body);

        if (!SdkHasStore)
        {
            Assert.All(events, e => Assert.Null(e.Id));
            return;
        }

        Assert.True(events.Count >= 2, body);
        Assert.All(events, e => Assert.False(string.IsNullOrEmpty(e.Id), body));
        Assert.Equal(string.Empty, events[0].Data);
        Assert.Equal("hi", (string?)JsonNode.Parse(events[^1].Data)?["result"]?["content"]?[0]?["text"]);
    }

    [Fact]
    public async Task GetStream_DroppedThenResumed_MissedEventsOnceInOrderThenLiveOnes()
    {
        await using var host = await StartAsync(withStore: true);
        var client = Client(host);
        var id = await client.InitializeAsync();
        var session = host.Store.Find(id)!;

        string lastSeen;
        using (var first = await client.OpenGetStreamAsync(id))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            using var reader = new SseReader(await first.Content.ReadAsStreamAsync());
            if (!SdkHasStore)
            {
                await Resume(host, id, "0").ContinueWith(t => AssertRefused(t.Result, "does not support resuming streams"), TaskScheduler.Default);
                return;
            }

            var priming = await reader.NextAsync().WaitAsync(Bound);
            Assert.Equal(string.Empty, priming.Data);
            await SendAsync(session, "notifications/one");
            var one = await reader.NextAsync().WaitAsync(Bound);
            Assert.Equal("notifications/one", Method(one));
            lastSeen = one.Id!;
        }

        // The client is gone; the server goes on sending, into the store.
        await SendAsync(session, "notifications/two");
        await SendAsync(session, "notifications/three");

        using var resumed = await Resume(host, id, lastSeen);
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        Assert.Equal(id, Assert.Single(resumed.Headers.GetValues("Mcp-Session-Id")));
        using var replay = new SseReader(await resumed.Content.ReadAsStreamAsync());
        Assert.Equal("notifications/two", Method(await replay.NextAsync().WaitAsync(Bound)));
        Assert.Equal("notifications/three", Method(await replay.NextAsync().WaitAsync(Bound)));

        await SendAsync(session, "notifications/four");
        Assert.Equal("notifications/four", Method(await replay.NextAsync().WaitAsync(Bound)));
        host.Logs.AssertNothingUnhandled();
    }

    [Fact]
    public async Task MaxStreamAge_GetStreamEndsCleanlyWhenOld_ClientResumesWithoutLoss_OrStaysOpenWithoutIds()
    {
        var age = TimeSpan.FromMinutes(1);
        await using var host = await CompatTestHost.StartAsync(o => o.MaxStreamAge = age, services: SdkEventStreamStore.Add);
        var scheduler = host.App.Services.GetRequiredService<McpCompat.Streams.KeepAliveScheduler>();
        var client = Client(host);
        var id = await client.InitializeAsync();
        var session = host.Store.Find(id)!;

        using var first = await client.OpenGetStreamAsync(id);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var reader = new SseReader(await first.Content.ReadAsStreamAsync());
        // Watched from before the response's headers left the server (a count of 0 here once, under load: said with
        // what the stream was, to tell an unwatched stream from one already ended).
        Assert.True(scheduler.Count == 1, $"{scheduler.Count} streams watched; the GET answered {first.Content.Headers.ContentType}, its session {(host.Store.Find(id) is null ? "gone" : "live")}");
        if (!SdkHasStore)
        {
            // No event ids: no client could resume the stream, so it is never ended for its age.
            for (var i = 0; i < 12; i++)
            {
                host.Time.Advance(scheduler.Tick);
            }

            Assert.Equal(1, scheduler.Count);
            await SendAsync(session, "notifications/still-open");
            Assert.Equal("notifications/still-open", Method(await reader.NextAsync().WaitAsync(Bound)));
            return;
        }

        var lastSeen = (await reader.NextAsync().WaitAsync(Bound)).Id!;
        var ended = reader.EndAsync();
        await host.Time.TickAsync(scheduler, scheduler.TicksToAge());
        await ended.WaitAsync(FakeClock.Bound);
        Assert.True(ended.IsCompletedSuccessfully);

        // Sent after the stream ended for its age: the resumed stream carries it, and what follows.
        await SendAsync(session, "notifications/after");
        using var resumed = await Resume(host, id, lastSeen);
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        using var replay = new SseReader(await resumed.Content.ReadAsStreamAsync());
        var after = await replay.NextAsync().WaitAsync(Bound);
        Assert.Equal("notifications/after", Method(after));
        await SendAsync(session, "notifications/live");
        var live = await replay.NextAsync().WaitAsync(Bound);
        Assert.True(Method(live) == "notifications/live", $"after {after}, then {live} (resumed from {lastSeen})");
        Assert.Equal(HttpStatusCode.OK, await client.PingAsync(id));
        host.Logs.AssertNothingUnhandled();
    }

    [Fact]
    public async Task LastEventId_UnknownOrOtherSessions_400AsTheSdkHostAnswers()
    {
        await using var host = await StartAsync(withStore: true);
        var client = Client(host);
        var id = await client.InitializeAsync();
        var other = await client.InitializeAsync();

        using var unknown = await Resume(host, id, "no-such-event");
        AssertRefused(unknown, SdkHasStore ? "either invalid or expired" : "does not support resuming streams");
        if (!SdkHasStore)
        {
            return;
        }

        var otherEvents = SseEvent.Parse(await PostRawAsync(host, other, """{"jsonrpc":"2.0","id":3,"method":"ping"}"""));
        using var foreign = await Resume(host, id, otherEvents[0].Id!);
        AssertRefused(foreign, "different session ID");

        // Neither refusal touched either session.
        Assert.Equal(HttpStatusCode.OK, await client.PingAsync(id));
        Assert.Equal(HttpStatusCode.OK, await client.PingAsync(other));
    }

    [Fact]
    public async Task LastEventId_NoStoreRegistered_400NotSupported_SessionLivesOn()
    {
        await using var host = await StartAsync(withStore: false);
        var client = Client(host);
        var id = await client.InitializeAsync();

        var events = SseEvent.Parse(await PostRawAsync(host, id, """{"jsonrpc":"2.0","id":3,"method":"ping"}"""));
        Assert.All(events, e => Assert.Null(e.Id));

        using var refused = await Resume(host, id, "0");
        AssertRefused(refused, "does not support resuming streams");
        Assert.Equal(HttpStatusCode.OK, await client.PingAsync(id));
    }

    /// <summary>
    /// The rule: a session is idle from the end of its last request, and each poll (a GET with <c>Last-Event-ID</c>)
    /// is a request. A client that polls more often than <c>SessionIdleTimeout</c> keeps its session however long the
    /// tool runs; one that stops polling for longer loses it, as any idle client does.
    /// </summary>
    [Theory]
    [InlineData(0.9, true)]
    [InlineData(1.1, false)]
    public async Task PollingTool_ClientPollsAtIntervals_SessionKeptOnlyWhilePollsComeWithinTheIdleTimeout(double pollEvery, bool kept)
    {
        HostingTestTools.Reset();
        await using var host = await StartAsync(withStore: true);
        var client = Client(host);
        var id = await client.InitializeAsync();
        var idle = TimeSpan.FromSeconds(30);

        var body = await PostRawAsync(host, id, """{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"poll","arguments":{}}}""");
        if (!SdkHasStore)
        {
            // The SDK's transport has no store to poll from: the tool's EnablePollingAsync is refused, and it says so.
            Assert.Contains("error", body, StringComparison.Ordinal);
            return;
        }

        // The POST answer ended early: a priming event with the retry interval, no result yet.
        var events = SseEvent.Parse(body);
        Assert.Contains(events, e => e.Retry is not null);
        Assert.DoesNotContain(events, e => e.Data.Contains("\"result\"", StringComparison.Ordinal));
        var lastSeen = events[^1].Id!;

        for (var poll = 0; poll < 5; poll++)
        {
            host.Time.Advance(idle * pollEvery);
            await host.Sweeper.SweepOnceAsync();
            using var answer = await Resume(host, id, lastSeen);
            if (!kept)
            {
                Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
                HostingTestTools.ReleaseAll();
                return;
            }

            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            foreach (var e in SseEvent.Parse(await answer.Content.ReadAsStringAsync()))
            {
                lastSeen = e.Id ?? lastSeen;
            }
        }

        HostingTestTools.ReleaseAll();
        // Once the tool is done, the next poll carries its result. Polls: the SDK runs the tool on after its POST ended and
        // writes the result into its own store, signalling nothing.
        var result = await Eventually.WaitForAsync(
            async () =>
            {
                using var answer = await Resume(host, id, lastSeen);
                var found = string.Empty;
                foreach (var e in SseEvent.Parse(await answer.Content.ReadAsStringAsync()))
                {
                    lastSeen = e.Id ?? lastSeen;
                    found = e.Data.Contains("\"result\"", StringComparison.Ordinal) ? e.Data : found;
                }

                return found;
            },
            found => found.Length > 0);

        Assert.Equal("polled", (string?)JsonNode.Parse(result)?["result"]?["content"]?[0]?["text"]);
        Assert.Equal(1, host.Tracker.Count);
    }

    private static Task<CompatTestHost> StartAsync(bool withStore) =>
        CompatTestHost.StartAsync(services: withStore ? SdkEventStreamStore.Add : null, tools: typeof(PollingTools));

    private static RawMcpClient Client(CompatTestHost host) => new(host.Http, host.Endpoint, ResumableRevision);

    private static async Task<string> PostRawAsync(CompatTestHost host, string sessionId, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, host.Endpoint) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Add("Mcp-Session-Id", sessionId);
        request.Headers.Add("MCP-Protocol-Version", ResumableRevision);
        using var response = await host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>A GET that resumes a stream of the session from <paramref name="lastEventId"/>; the caller disposes the response.</summary>
    internal static Task<HttpResponseMessage> Resume(CompatTestHost host, string sessionId, string lastEventId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, host.Endpoint);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Add("Mcp-Session-Id", sessionId);
        request.Headers.Add("MCP-Protocol-Version", ResumableRevision);
        request.Headers.Add("Last-Event-ID", lastEventId);
        return host.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private static void AssertRefused(HttpResponseMessage response, string reason)
    {
        var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        Assert.Contains(reason, (string?)JsonNode.Parse(body)?["error"]?["message"] ?? string.Empty, StringComparison.Ordinal);
    }

    private static string? Method(SseEvent e) => (string?)JsonNode.Parse(e.Data)?["method"];

    /// <summary>Sends a notification as the server does outside any request: on the session's GET stream.</summary>
    private static Task SendAsync(McpCompat.MapMcpCompat.HostedSession session, string method)
    {
        var send = session.Transport.GetType().GetMethod("SendMessageAsync", [typeof(JsonRpcMessage), typeof(CancellationToken)])!;
        return (Task)send.Invoke(session.Transport, [new JsonRpcNotification { Method = method }, CancellationToken.None])!;
    }

    /// <summary>A tool that asks the transport to let the client poll for its result, then waits for the test.</summary>
    [McpServerToolType]
    internal sealed class PollingTools
    {
        [McpServerTool(Name = "poll"), Description("Lets the client poll, then waits until the test releases it.")]
        public static async Task<string> Poll(RequestContext<CallToolRequestParams> context, CancellationToken cancellationToken)
        {
            var enable = context.GetType().GetMethod("EnablePollingAsync", [typeof(TimeSpan), typeof(CancellationToken)])
                ?? throw new InvalidOperationException("this SDK has no EnablePollingAsync");
            await ((ValueTask)enable.Invoke(context, [TimeSpan.FromSeconds(1), cancellationToken])!).ConfigureAwait(false);
            await HostingTestTools.WaitForReleaseAsync(cancellationToken).ConfigureAwait(false);
            return "polled";
        }
    }
}
