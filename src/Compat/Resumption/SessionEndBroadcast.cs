using McpCompat.Hosting;
using McpCompat.SdkHost;
using McpCompat.Sessions;
using McpCompat.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpCompat.Resumption;

/// <summary>
/// Tells the fleet, through the application's <see cref="IMcpSessionEndChannel"/> (where one is registered), that a
/// client deleted a session, and ends this instance's copy when another instance says so: on <c>MapMcpCompat</c> from
/// its store, on the SDK's <c>MapMcp</c> by an in-process DELETE as the session's owner. Without a channel it does
/// nothing: one instance ends its own copy when it serves the DELETE.
/// </summary>
internal sealed class SessionEndBroadcast(
    IServiceProvider services,
    HostedSessionStore store,
    SdkSessionEnder sdkSessions,
    McpCompatMetrics metrics,
    ILogger<SessionEndBroadcast> logger) : IHostedService, IAsyncDisposable
{
    private readonly IMcpSessionEndChannel? _channel = services.GetService<IMcpSessionEndChannel>();
    private IAsyncDisposable? _subscription;

    /// <summary>Tells every instance that the client of session <paramref name="sessionId"/> deleted it.</summary>
    public async Task PublishAsync(string sessionId, UserKey? owner)
    {
        if (_channel is null)
        {
            return;
        }

        try
        {
            await _channel.PublishAsync(new SessionEndNotice(sessionId, owner).ToBytes(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.SessionEndPublishFailed(logger, sessionId, ex);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_channel is not null)
        {
            _subscription = await _channel.SubscribeAsync(OnMessageAsync, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _subscription, null) is { } subscription)
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Ends this instance's copy of the session a notice names; anything else is ignored.</summary>
    internal async Task OnMessageAsync(ReadOnlyMemory<byte> message)
    {
        if (SessionEndNotice.TryParse(message.Span) is not { } notice)
        {
            return;
        }

        try
        {
            var ended = await store.EndAsync(notice.SessionId).ConfigureAwait(false) |
                await sdkSessions.EndAsync(notice.SessionId, notice.Owner).ConfigureAwait(false);
            if (ended)
            {
                metrics.SessionEnded(EvictionReason.Deleted);
                Log.SessionEndedByFleet(logger, notice.SessionId);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.SessionEndFailed(logger, notice.SessionId, ex);
        }
    }
}
