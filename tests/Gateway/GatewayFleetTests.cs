using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;

namespace McpCompat.Gateway.Tests;

/// <summary>
/// Two gateways sharing one cache and one session end channel, in front of one upstream: any gateway serves any session,
/// an idle copy on one does not end the session the other serves, and a client's DELETE through one ends the other's copy.
/// </summary>
[Collection(GatewayTests.Collection)]
public sealed class GatewayFleetTests
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task OtherGateway_TakesTheSessionUpWhereItLives_NothingReplayed()
    {
        var (cache, channel) = Shared();
        await using var upstream = await Upstream.StartAsync();
        await using var a = await GatewayHost.StartAsync(cache: cache, upstreams: [upstream], channel: channel);
        await using var b = await GatewayHost.StartAsync(cache: cache, upstreams: [upstream], channel: channel);
        var id = await a.Client.InitializeAsync();

        var (status, message) = await b.Client.CallToolAsync(id, "echo", """{"text":"through b"}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("through b", (string?)message?["result"]?["content"]?[0]?["text"]);
        Assert.Equal(a.Sessions.Find(id)!.UpstreamId, b.Sessions.Find(id)!.UpstreamId);
        Assert.Equal(1, upstream.Count("initialize"));
    }

    [Fact]
    public async Task IdleCopyOnOneGateway_LetsGo_WhileTheOtherServesTheSession_ThenTheOtherEndsIt()
    {
        var (cache, channel) = Shared();
        await using var upstream = await Upstream.StartAsync();
        await using var a = await GatewayHost.StartAsync(cache: cache, upstreams: [upstream], channel: channel);
        await using var b = await GatewayHost.StartAsync(cache: cache, upstreams: [upstream], channel: channel);
        var id = await a.Client.InitializeAsync();
        var upstreamId = a.Sessions.Find(id)!.UpstreamId;
        Assert.Equal(HttpStatusCode.OK, (await b.Client.RequestAsync(id, "ping")).Status);

        await EndIdleSessionsAsync(a);

        Assert.Null(a.Sessions.Find(id));
        Assert.Empty(upstream.SessionIdsOf("DELETE"));
        Assert.Equal(HttpStatusCode.OK, (await b.Client.RequestAsync(id, "ping")).Status);
        Assert.Equal(1, upstream.Count("initialize"));

        await EndIdleSessionsAsync(b);

        Assert.Equal([upstreamId], upstream.SessionIdsOf("DELETE"));
    }

    [Fact]
    public async Task ClientDeleteThroughOneGateway_EndsTheOthersCopy_NoGatewayResumesIt()
    {
        var (cache, channel) = Shared();
        await using var upstream = await Upstream.StartAsync();
        await using var a = await GatewayHost.StartAsync(cache: cache, upstreams: [upstream], channel: channel);
        await using var b = await GatewayHost.StartAsync(cache: cache, upstreams: [upstream], channel: channel);
        var id = await a.Client.InitializeAsync();
        Assert.Equal(HttpStatusCode.OK, (await b.Client.RequestAsync(id, "ping")).Status);

        Assert.Equal(HttpStatusCode.OK, await a.Client.DeleteAsync(id));

        // The notice follows the DELETE's answer (once it is answered upstream): b's copy goes as soon as it arrives.
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (b.Sessions.Find(id) is not null)
        {
            await Task.Delay(10, bound.Token);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await b.Client.RequestAsync(id, "ping")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await a.Client.RequestAsync(id, "ping")).Status);
        Assert.Equal(1, upstream.Count("initialize"));
    }

    private static (IDistributedCache Cache, InMemoryChannel Channel) Shared() =>
        (new MemoryDistributedCache(Microsoft.Extensions.Options.Options.Create(new MemoryDistributedCacheOptions())), new InMemoryChannel());

    private static async Task EndIdleSessionsAsync(GatewayHost host)
    {
        host.Time.Advance(IdleTimeout + TimeSpan.FromSeconds(1));
        await host.Sweeper.SweepOnceAsync();
        await host.Sweeper.Evictions;
    }

    /// <summary>A session end channel within the test process: every subscriber gets every message, before the publish returns.</summary>
    internal sealed class InMemoryChannel : IMcpSessionEndChannel
    {
        private readonly ConcurrentDictionary<object, Func<ReadOnlyMemory<byte>, Task>> _subscribers = new();

        public async Task PublishAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
        {
            foreach (var subscriber in _subscribers.Values)
            {
                await subscriber(message.ToArray());
            }
        }

        public Task<IAsyncDisposable> SubscribeAsync(Func<ReadOnlyMemory<byte>, Task> onMessage, CancellationToken cancellationToken)
        {
            var key = new object();
            _subscribers[key] = onMessage;
            return Task.FromResult<IAsyncDisposable>(new Subscription(() => _subscribers.TryRemove(key, out _)));
        }

        private sealed class Subscription(Action remove) : IAsyncDisposable
        {
            public ValueTask DisposeAsync()
            {
                remove();
                return ValueTask.CompletedTask;
            }
        }
    }
}
