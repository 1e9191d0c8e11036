using System.Collections.Concurrent;

namespace McpCompat.Tests.Support;

/// <summary>
/// A fleet's <see cref="IMcpSessionEndChannel"/> inside one test process: every host given the same instance hears
/// every message, the publisher's own included, before <see cref="PublishAsync"/> returns.
/// </summary>
internal sealed class InMemorySessionEndChannel : IMcpSessionEndChannel
{
    private readonly ConcurrentDictionary<object, Func<ReadOnlyMemory<byte>, Task>> _subscribers = new();

    public int Published;

    public async Task PublishAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Published);
        foreach (var subscriber in _subscribers.Values)
        {
            await subscriber(message.ToArray());
        }
    }

    public Task<IAsyncDisposable> SubscribeAsync(Func<ReadOnlyMemory<byte>, Task> onMessage, CancellationToken cancellationToken)
    {
        var subscription = new Subscription(this);
        _subscribers[subscription] = onMessage;
        return Task.FromResult<IAsyncDisposable>(subscription);
    }

    private sealed class Subscription(InMemorySessionEndChannel channel) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            channel._subscribers.TryRemove(this, out _);
            return ValueTask.CompletedTask;
        }
    }
}
