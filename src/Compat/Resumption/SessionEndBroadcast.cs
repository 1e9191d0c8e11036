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
    SessionResumption resumption,
    IEnumerable<ISessionHost> hosts,
    McpCompatMetrics metrics,
    TimeProvider timeProvider,
    ILogger<SessionEndBroadcast> logger) : IHostedService, IAsyncDisposable, IDisposable
{
    /// <summary>How long subscribing waits before it tries again, when the channel failed (its server down at start).</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    private readonly IMcpSessionEndChannel? _channel = services.GetService<IMcpSessionEndChannel>();
    private readonly CancellationTokenSource _stopping = new();
    private IAsyncDisposable? _subscription;
    private Task _subscribing = Task.CompletedTask;

    /// <summary>Gets the subscription under way since start, retries included: it completes once subscribed, or stopped.</summary>
    internal Task Subscribing => _subscribing;

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

    /// <summary>
    /// Subscribes in the background: a channel that fails (its server down when the application starts) neither fails
    /// the start nor goes unheard for long; it is logged once and tried again every <see cref="RetryDelay"/>.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (resumption.Records is { } records)
        {
            var fleet = _channel is null
                ? "no session end channel is registered: a DELETE ends the copy on the instance that serves it, and the record everywhere"
                : $"instances tell each other of a DELETE over {_channel.GetType().Name}";
            Log.ResumableSessions(logger, records.Window, records.StoreName, records.Settings.MaxRecords, fleet);
        }

        if (_channel is not null)
        {
            _subscribing = SubscribeAsync(_channel, _stopping.Token);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    /// <summary>
    /// Stops subscribing; a subscription already made is disposed in the background (a service provider disposed
    /// synchronously cannot wait for it). The host's stop disposes it properly first.
    /// </summary>
    public void Dispose()
    {
        _stopping.Cancel();
        if (Interlocked.Exchange(ref _subscription, null) is { } subscription)
        {
            _ = subscription.DisposeAsync().AsTask();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        await _subscribing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (Interlocked.Exchange(ref _subscription, null) is { } subscription)
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task SubscribeAsync(IMcpSessionEndChannel channel, CancellationToken stopping)
    {
        var logged = false;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                _subscription = await channel.SubscribeAsync(OnMessageAsync, stopping).ConfigureAwait(false);
                if (logged)
                {
                    Log.SessionEndChannelSubscribed(logger);
                }

                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                if (!logged)
                {
                    Log.SessionEndChannelFailed(logger, RetryDelay.TotalSeconds, ex);
                    logged = true;
                }
            }

            try
            {
                await Task.Delay(RetryDelay, timeProvider, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Ends this instance's copy of the session a notice names; anything else is ignored. The session is remembered as
    /// deleted and its copies stop taking requests before this returns; their disposal goes on in the background, so a
    /// burst of notices (the channel hands them over one at a time) is not held up by one slow disposal.
    /// </summary>
    internal Task OnMessageAsync(ReadOnlyMemory<byte> message)
    {
        if (SessionEndNotice.TryParse(message.Span) is not { } notice)
        {
            return Task.CompletedTask;
        }

        // Remembered first: a resume of it on this instance, under way or to come, ends without the session.
        resumption.Records?.Forget(notice.SessionId);
        _ = EndCopiesAsync(notice);
        return Task.CompletedTask;
    }

    private async Task EndCopiesAsync(SessionEndNotice notice)
    {
        try
        {
            // All start at once: each leaves its table before its first wait.
            var ending = hosts.Select(host => host.EndAsync(notice.SessionId, notice.Owner)).ToArray();
            var ended = (await Task.WhenAll(ending).ConfigureAwait(false)).Any(e => e);
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
