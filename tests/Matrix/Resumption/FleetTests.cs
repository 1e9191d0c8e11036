using System.Net;
using System.Text.Json.Nodes;
using McpCompat.Tests.Hosting;
using McpCompat.Tests.Support;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace McpCompat.Tests.Resumption;

/// <summary>
/// Two <c>MapMcpCompat</c> instances in one process sharing a distributed cache and a session end channel, as a fleet
/// behind a load balancer without sticky routing shares Redis: a client whose requests alternate between them keeps
/// one session id, evictions included; a DELETE on one ends the copy on the other; an instance that stops loses no
/// session. (<c>eng/fleet.sh</c> runs the same with two processes, a real Redis and the TypeScript SDK client.)
/// </summary>
[Collection(HostingTestTools.Collection)]
public sealed class FleetTests
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    private static async Task<(CompatTestHost A, CompatTestHost B, InMemorySessionEndChannel Channel)> StartFleetAsync()
    {
        var cache = new FakeDistributedCache(new FakeTimeProvider());
        var channel = new InMemorySessionEndChannel();
        void Shared(IServiceCollection services) => services.AddSingleton<IDistributedCache>(cache).AddSingleton<IMcpSessionEndChannel>(channel);
        var a = await CompatTestHost.StartAsync(o => o.SessionResumeWindow = TimeSpan.FromDays(1), services: Shared);
        var b = await CompatTestHost.StartAsync(o => o.SessionResumeWindow = TimeSpan.FromDays(1), services: Shared);
        return (a, b, channel);
    }

    private static async Task EvictAllAsync(CompatTestHost host)
    {
        host.Time.Advance(IdleTimeout + TimeSpan.FromSeconds(1));
        await host.Sweeper.SweepOnceAsync();
        Assert.Equal(0, host.Store.Count);
    }

    [Fact]
    public async Task ClientAlternatingBetweenInstances_KeepsOneSessionId_ThroughEvictionsOnEach()
    {
        var (a, b, _) = await StartFleetAsync();
        await using var __ = a;
        await using var ___ = b;
        var id = await a.Client.InitializeAsync();

        for (var turn = 0; turn < 6; turn++)
        {
            var host = turn % 2 == 0 ? b : a;
            if (turn >= 2)
            {
                // From the second round on, the instance has evicted its copy since it last served the client.
                await EvictAllAsync(host);
            }

            var (status, message) = await host.Client.CallToolAsync(id, "echo", new JsonObject { ["message"] = $"turn {turn}" });
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal($"turn {turn}", (string?)message?["result"]?["content"]?[0]?["text"]);
        }
    }

    [Fact]
    public async Task DeleteOnOneInstance_EndsTheCopyOnTheOther_NoResumeAnywhere()
    {
        var (a, b, channel) = await StartFleetAsync();
        await using var __ = a;
        await using var ___ = b;
        var id = await a.Client.InitializeAsync();
        Assert.Equal(HttpStatusCode.OK, await b.Client.PingAsync(id));
        Assert.Equal(1, b.Store.Count);

        Assert.Equal(HttpStatusCode.OK, await a.Client.DeleteAsync(id));

        Assert.Equal(1, channel.Published);
        Assert.Equal(0, b.Store.Count);
        Assert.Equal(HttpStatusCode.NotFound, await b.Client.PingAsync(id));
        Assert.Equal(HttpStatusCode.NotFound, await a.Client.PingAsync(id));
        await b.Logs.WaitForAsync(r => r.Id.Name == "SessionEndedByFleet" && r.Message.Contains(id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ChannelDownAtStart_HostStarts_WarnsOnce_SubscribesWhenItIsBack()
    {
        var channel = new FlakyChannel(new InMemorySessionEndChannel(), failures: 3);
        await using var host = await CompatTestHost.StartAsync(
            o => o.SessionResumeWindow = TimeSpan.FromDays(1),
            services: s => s.AddSingleton<IDistributedCache>(new FakeDistributedCache(new FakeTimeProvider())).AddSingleton<IMcpSessionEndChannel>(channel));
        var id = await host.Client.InitializeAsync();

        // The first attempt failed as the host started, its retry's wait begun: each move of the clock by the delay is
        // the next attempt, the fourth one subscribing.
        var broadcast = host.App.Services.GetRequiredService<McpCompat.Resumption.SessionEndBroadcast>();
        Assert.Equal(1, channel.Attempts);
        for (var attempt = 2; attempt <= 4; attempt++)
        {
            Assert.False(broadcast.Subscribing.IsCompleted);
            host.Time.Advance(McpCompat.Resumption.SessionEndBroadcast.RetryDelay);
            Assert.Equal(attempt, channel.Attempts);
        }

        await broadcast.Subscribing.WaitAsync(FakeClock.Bound);

        await channel.Inner.PublishAsync(new McpCompat.Resumption.SessionEndNotice(id, Owner: null).ToBytes(), CancellationToken.None);

        Assert.Single(host.Logs.GetSnapshot(), r => r.Id.Name == "SessionEndChannelFailed");
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Name == "SessionEndChannelSubscribed");
        Assert.Equal(0, host.Store.Count);
    }

    [Fact]
    public async Task InstanceStops_ItsSessionsGoOnOnTheOther()
    {
        var (a, b, _) = await StartFleetAsync();
        await using var ___ = b;
        var id = await a.Client.InitializeAsync();
        await a.DisposeAsync();

        var (status, message) = await b.Client.CallToolAsync(id, "echo", new JsonObject { ["message"] = "still here" });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("still here", (string?)message?["result"]?["content"]?[0]?["text"]);
    }

    /// <summary>A channel whose first subscriptions fail, as one whose server is down when the application starts.</summary>
    private sealed class FlakyChannel(InMemorySessionEndChannel inner, int failures) : IMcpSessionEndChannel
    {
        private int _attempts;

        public InMemorySessionEndChannel Inner => inner;

        public int Attempts => Volatile.Read(ref _attempts);

        public Task PublishAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken) => inner.PublishAsync(message, cancellationToken);

        public Task<IAsyncDisposable> SubscribeAsync(Func<ReadOnlyMemory<byte>, Task> onMessage, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _attempts) <= failures
                ? Task.FromException<IAsyncDisposable>(new InvalidOperationException("the channel's server is down"))
                : inner.SubscribeAsync(onMessage, cancellationToken);
    }
}
