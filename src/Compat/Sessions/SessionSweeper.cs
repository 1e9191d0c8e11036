using McpCompat.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpCompat.Sessions;

/// <summary>
/// Ends tracked sessions that have been idle past the idle timeout, then the longest-idle ones while more
/// sessions are idle than allowed. A session with a request in flight is never ended. Time comes from
/// <see cref="TimeProvider"/>; the hosted service calls <see cref="SweepOnceAsync"/> on a timer and tests call it directly.
/// </summary>
internal sealed class SessionSweeper(
    SessionTracker tracker,
    IOptions<McpCompatOptions> options,
    TimeProvider timeProvider,
    ILogger<SessionSweeper> logger) : IDisposable
{
    // One sweep at a time: a sweep asked for while another runs waits for it, then finds what is still due.
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    /// <summary>Runs one sweep and returns how many sessions it ended.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken cancellationToken = default)
    {
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await SweepAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    public void Dispose() => _oneAtATime.Dispose();

    private async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var idleTimeout = settings.SessionIdleTimeout ?? McpCompatOptions.DefaultSessionIdleTimeout;
        var maxIdle = settings.MaxIdleSessions ?? McpCompatOptions.DefaultMaxIdleSessions;
        var now = timeProvider.GetTimestamp();

        var due = new List<(TrackedSession Session, long LastActivity, EvictionReason Reason)>();
        var idle = new List<(TrackedSession Session, long LastActivity)>();
        foreach (var session in tracker.Sessions)
        {
            if (!session.IsLive || session.InFlight != 0)
            {
                continue;
            }

            var lastActivity = session.LastActivity;
            if (idleTimeout != Timeout.InfiniteTimeSpan && timeProvider.GetElapsedTime(lastActivity, now) >= idleTimeout)
            {
                due.Add((session, lastActivity, EvictionReason.IdleTimeout));
            }
            else
            {
                idle.Add((session, lastActivity));
            }
        }

        if (idle.Count > maxIdle)
        {
            idle.Sort(static (a, b) => a.LastActivity.CompareTo(b.LastActivity));
            for (var i = 0; i < idle.Count - maxIdle; i++)
            {
                due.Add((idle[i].Session, idle[i].LastActivity, EvictionReason.MaxIdleSessions));
            }
        }

        var ended = 0;
        foreach (var (session, lastActivity, reason) in due)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await EvictAsync(session, lastActivity, reason, now, cancellationToken).ConfigureAwait(false))
            {
                ended++;
            }
        }

        return ended;
    }

    private async Task<bool> EvictAsync(TrackedSession session, long lastActivity, EvictionReason reason, long now, CancellationToken cancellationToken)
    {
        // Re-checked under the session's lock: a request that arrived since the scan keeps the session.
        if (!session.TryBeginEviction(lastActivity))
        {
            return false;
        }

        bool ended;
        try
        {
            ended = await session.Evictor.EvictAsync(session, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.EvictionFailed(logger, session.Id, ex);
            session.CancelEviction();
            return false;
        }

        if (!ended)
        {
            session.CancelEviction();
            return false;
        }

        tracker.Remove(session);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            var idleSeconds = timeProvider.GetElapsedTime(lastActivity, now).TotalSeconds;
            Log.SessionEvicted(logger, session.Id, reason, idleSeconds);
        }

        return true;
    }
}
