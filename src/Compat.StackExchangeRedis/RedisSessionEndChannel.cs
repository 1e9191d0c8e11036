using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace McpCompat.StackExchangeRedis;

/// <summary>
/// <see cref="IMcpSessionEndChannel"/> over Redis pub/sub, on the connection the cache shares. Redis delivers a message
/// to every subscriber connected when it is published, the publisher included, and to no one later: an instance that
/// is down meanwhile has no copies to end.
/// </summary>
internal sealed class RedisSessionEndChannel(RedisConnection connection, IOptions<McpCompatRedisOptions> options) : IMcpSessionEndChannel
{
    private RedisChannel Channel => RedisChannel.Literal(options.Value.Channel);

    public async Task PublishAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        var redis = await connection.GetAsync(cancellationToken).ConfigureAwait(false);
        await redis.GetSubscriber().PublishAsync(Channel, message).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IAsyncDisposable> SubscribeAsync(Func<ReadOnlyMemory<byte>, Task> onMessage, CancellationToken cancellationToken)
    {
        var redis = await connection.GetAsync(cancellationToken).ConfigureAwait(false);
        var subscriber = redis.GetSubscriber();
        var channel = Channel;
        var queue = await subscriber.SubscribeAsync(channel).WaitAsync(cancellationToken).ConfigureAwait(false);

        // Messages in order, one at a time, off Redis's own thread.
        queue.OnMessage(message => onMessage((byte[]?)message.Message ?? []));
        return new Subscription(queue);
    }

    private sealed class Subscription(ChannelMessageQueue queue) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await queue.UnsubscribeAsync().ConfigureAwait(false);
    }
}
