using System.ComponentModel;
using System.Net;
using System.Text.Json.Nodes;
using System.Text;
using McpCompat.MapMcpCompat;
using McpCompat.Probing;
using McpCompat.Tests.Hosting;
using McpCompat.Tests.Support;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpCompat.Tests.Resumption;

/// <summary>
/// What does not survive an eviction, on <c>MapMcpCompat</c> and every SDK version, fails in a way the client can read,
/// never a hang: a server-to-client request in flight when its instance goes away (the call ends with <c>-32001</c>, the
/// late answer is accepted and dropped by the resumed session), and a GET stream's undelivered events where the event
/// stream store is not shared (400, while the same instance's store replays them).
/// </summary>
[Collection(HostingTestTools.Collection)]
public sealed class EvictionLimitsTests
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static readonly string ResumableRevision = ResumableStreamTests.ResumableRevision;

    private static bool SdkHasStore => McpSdkProbe.Current.GetFeature(McpSdkFeatureKind.EventStreamStore).IsPresent;

    /// <summary>Two instances sharing the records and the end channel; each with its own event stream store when asked.</summary>
    private static async Task<(CompatTestHost A, CompatTestHost B)> StartFleetAsync(bool eventStores = false)
    {
        var cache = new FakeDistributedCache(new FakeTimeProvider());
        var channel = new InMemorySessionEndChannel();
        void Services(IServiceCollection services)
        {
            services.AddSingleton<IDistributedCache>(cache).AddSingleton<IMcpSessionEndChannel>(channel);
            services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
            if (eventStores)
            {
                SdkEventStreamStore.Add(services);
            }
        }

        var a = await CompatTestHost.StartAsync(o => o.SessionResumeWindow = TimeSpan.FromDays(1), services: Services, tools: typeof(AskingTools));
        var b = await CompatTestHost.StartAsync(o => o.SessionResumeWindow = TimeSpan.FromDays(1), services: Services, tools: typeof(AskingTools));
        return (a, b);
    }

    [Fact]
    public async Task ServerRequestInFlight_InstanceGoesAway_CallEndsWith32001_LateAnswerAcceptedAndDropped_SessionGoesOn()
    {
        var (a, b) = await StartFleetAsync();
        await using var __ = b;
        var id = await a.Client.InitializeAsync();

        using var call = await a.Client.SendRequestAsync(id, "tools/call", new JsonObject { ["name"] = "ask", ["arguments"] = new JsonObject() });
        using var reader = new SseReader(await call.Content.ReadAsStreamAsync());
        var asked = await NextMessageAsync(reader, m => (string?)m["method"] == "elicitation/create");
        var askId = asked["id"]!.DeepClone();

        // The instance stops with the call waiting on the client's answer: its session ends under the call.
        var stopping = a.App.StopAsync();
        a.Time.Advance(HostedSessionShutdownService.Grace(ShutdownTimeout)!.Value);
        var ended = await NextMessageAsync(reader, m => m["error"] is not null);
        await stopping.WaitAsync(Bound);
        await a.DisposeAsync();

        Assert.Equal(-32001, (int?)ended["error"]?["code"]);
        var late = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = askId, ["result"] = new JsonObject { ["action"] = "decline" } };
        var (lateStatus, _, _) = await MapMcpCompatTests.SendAsync(b, HttpMethod.Post, late.ToJsonString(), id,
            configure: r => r.Headers.Add("MCP-Protocol-Version", b.Client.ProtocolVersion));
        Assert.Equal(HttpStatusCode.Accepted, lateStatus);
        var (status, echo) = await b.Client.CallToolAsync(id, "echo", new JsonObject { ["message"] = "on b" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("on b", (string?)echo?["result"]?["content"]?[0]?["text"]);
        b.Logs.AssertNothingUnhandled();
    }

    [Fact]
    public async Task GetStreamEvents_ReplayedWhereTheStoreIs_ElsewhereA400TheClientCanRead()
    {
        var (a, b) = await StartFleetAsync(eventStores: true);
        await using var _ = a;
        await using var __ = b;
        var client = new RawMcpClient(a.Http, a.Endpoint, ResumableRevision);
        var id = await client.InitializeAsync();

        if (!SdkHasStore)
        {
            // No event ids on this SDK: a Last-Event-ID is refused as the SDK's host refuses it, resumed session or not.
            await EvictAsync(a);
            using var refused = await ResumableStreamTests.Resume(a, id, "0");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("does not support resuming streams", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            return;
        }

        string primingId;
        using (var stream = await client.OpenGetStreamAsync(id))
        {
            using var reader = new SseReader(await stream.Content.ReadAsStreamAsync());
            primingId = (await reader.NextAsync().WaitAsync(Bound)).Id!;
        }

        await EvictAsync(a);
        using (var here = await ResumableStreamTests.Resume(a, id, primingId))
        {
            Assert.Equal(HttpStatusCode.OK, here.StatusCode);
            Assert.Equal(id, Assert.Single(here.Headers.GetValues("Mcp-Session-Id")));
        }

        await EvictAsync(a);
        using var elsewhere = await ResumableStreamTests.Resume(b, id, primingId);

        Assert.Equal(HttpStatusCode.BadRequest, elsewhere.StatusCode);
        Assert.Contains("The specified Last-Event-ID is either invalid or expired.", await elsewhere.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await new RawMcpClient(b.Http, b.Endpoint, ResumableRevision).PingAsync(id));
    }

    [Fact]
    public async Task ResourceSubscription_DoesNotSurviveEviction_OldServerReachesNoOne_ClientSubscribesAgain()
    {
        var subscribed = 0;
        await using var host = await CompatTestHost.StartAsync(
            o => o.SessionResumeWindow = TimeSpan.FromDays(1),
            services: s =>
            {
                s.AddSingleton<IDistributedCache>(new FakeDistributedCache(new FakeTimeProvider()));
                // Some builds serve resources/subscribe only where resources are listed too.
                s.AddMcpServer().WithListResourcesHandler((_, _) => ValueTask.FromResult(new ListResourcesResult { Resources = [] })).WithSubscribeToResourcesHandler((_, _) =>
                {
                    Interlocked.Increment(ref subscribed);
                    return ValueTask.FromResult(new EmptyResult());
                });
            });
        var id = await host.Client.InitializeAsync();
        var first = await host.Client.RequestAsync(id, "resources/subscribe", new JsonObject { ["uri"] = "test://resource" });
        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.True(Volatile.Read(ref subscribed) == 1, first.Message?.ToJsonString());

        // What an application keeps per subscription: the session's server, to notify through.
        var before = host.Store.Find(id)!.Server;

        await EvictAsync(host);
        using var stream = await host.Client.OpenGetStreamAsync(id);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        using var reader = new SseReader(await stream.Content.ReadAsStreamAsync());

        // The application notifies through the server it kept: that server is gone with the evicted copy. Its send ends
        // (an error for the application, or nothing), and nothing reaches the client.
        var stale = NotifyAsync(before, "test://resource#before");
        await Task.WhenAny(stale, Task.Delay(Bound));
        Assert.True(stale.IsCompleted, "a send through the evicted copy's server did not end");

        // The client subscribes again: the resumed server gets the subscription, and its notification arrives.
        Assert.Equal(HttpStatusCode.OK, (await host.Client.RequestAsync(id, "resources/subscribe", new JsonObject { ["uri"] = "test://resource" })).Status);
        Assert.Equal(2, Volatile.Read(ref subscribed));
        var after = host.Store.Find(id)!.Server;
        Assert.NotSame(before, after);
        await NotifyAsync(after, "test://resource#after").WaitAsync(Bound);
        var updated = await NextMessageAsync(reader, m => (string?)m["method"] == "notifications/resources/updated");
        Assert.Equal("test://resource#after", (string?)updated["params"]?["uri"]);
        host.Logs.AssertNothingUnhandled();
    }

    /// <summary><c>notifications/resources/updated</c> through the server the application kept, as every SDK build sends a message.</summary>
    private static Task NotifyAsync(object server, string uri)
    {
        var send = server.GetType().GetMethod("SendMessageAsync", [typeof(JsonRpcMessage), typeof(CancellationToken)])
            ?? throw new InvalidOperationException($"{server.GetType().Name} has no SendMessageAsync(JsonRpcMessage, CancellationToken)");
        var notification = new JsonRpcNotification { Method = "notifications/resources/updated", Params = new JsonObject { ["uri"] = uri } };
        try
        {
            return (Task)send.Invoke(server, [notification, CancellationToken.None])!;
        }
        catch (System.Reflection.TargetInvocationException ex)
        {
            return Task.FromException(ex.InnerException ?? ex);
        }
    }

    private static async Task EvictAsync(CompatTestHost host)
    {
        // Every request done on the server, counted out, not only answered.
        await host.Requests.NoneAsync();
        Assert.Equal(host.Store.Count, host.Tracker.IdleCount);
        host.Time.Advance(IdleTimeout + TimeSpan.FromSeconds(1));
        await host.Sweeper.SweepOnceAsync();
        Assert.Equal(0, host.Store.Count);
    }

    private static async Task<JsonNode> NextMessageAsync(SseReader reader, Func<JsonNode, bool> match)
    {
        while (true)
        {
            var next = await reader.NextAsync().WaitAsync(Bound);
            if (next.Data.Length > 0 && JsonNode.Parse(next.Data) is { } message && match(message))
            {
                return message;
            }
        }
    }

    /// <summary>A tool that sends the client a request (an elicitation) through the SDK and waits for its answer.</summary>
    [McpServerToolType]
    internal sealed class AskingTools
    {
        [McpServerTool(Name = "ask"), Description("Asks the client, and answers with what it said.")]
        public static async Task<string> Ask(RequestContext<CallToolRequestParams> context, CancellationToken cancellationToken)
        {
            var server = context.GetType().GetProperty("Server")!.GetValue(context)!;
            var send = server.GetType().GetMethod("SendRequestAsync", [typeof(JsonRpcRequest), typeof(CancellationToken)])
                ?? throw new InvalidOperationException($"{server.GetType().Name} has no SendRequestAsync(JsonRpcRequest, CancellationToken)");
            var request = new JsonRpcRequest
            {
                Method = "elicitation/create",
                Params = JsonNode.Parse("""{"message":"Your name?","requestedSchema":{"type":"object","properties":{}}}"""),
            };
            var answer = await ((Task<JsonRpcResponse>)send.Invoke(server, [request, cancellationToken])!).ConfigureAwait(false);
            return answer.Result?.ToJsonString() ?? string.Empty;
        }
    }
}
