namespace McpCompat;

/// <summary>
/// Carries, between the instances of a fleet that share session records, the news that a client ended a session with
/// DELETE, so that every instance ends its own copy of the session at once, not when it next idles out. Register one
/// (the package <c>McpCompat.StackExchangeRedis</c> has one over Redis pub/sub) beside a shared
/// <see cref="Microsoft.Extensions.Caching.Distributed.IDistributedCache"/>; a single instance needs none.
/// </summary>
/// <remarks>
/// Messages are McpCompat's own and opaque to the channel: it delivers each one, as given, to every subscriber on
/// every instance, the publisher's included. Delivery is best effort: a message lost leaves a copy to idle out, and its
/// record is deleted whatever happens to the message.
/// </remarks>
public interface IMcpSessionEndChannel
{
    /// <summary>Sends <paramref name="message"/> to every subscriber of the fleet.</summary>
    /// <param name="message">The message, as McpCompat wrote it.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes once the message is sent.</returns>
    Task PublishAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken);

    /// <summary>Delivers every message sent from now on to <paramref name="onMessage"/>, until the returned subscription is disposed.</summary>
    /// <param name="onMessage">Receives each message.</param>
    /// <param name="cancellationToken">Cancels subscribing.</param>
    /// <returns>The subscription.</returns>
    Task<IAsyncDisposable> SubscribeAsync(Func<ReadOnlyMemory<byte>, Task> onMessage, CancellationToken cancellationToken);
}
