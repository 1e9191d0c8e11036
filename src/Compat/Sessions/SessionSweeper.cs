using McpCompat.Options;
using McpCompat.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpCompat.Sessions;

/// <summary>
/// Ends tracked sessions that have been idle past the idle timeout, then the longest-idle ones while more
/// sessions are idle than allowed. A session with a request in flight is never ended. Time comes from
/// <see cref="TimeProvider"/>; the hosted service calls <see cref="SweepOnceAsync"/> when the next session is due
/// and tests call it directly.
/// </summary>
/// <remarks>
/// A sweep takes what is due from the front of the tracker's idle list (its cost follows what is due, not what is
/// tracked), then ends those sessions concurrently and waits for them at most <see cref="EvictionWait"/>: an
/// eviction that hangs is logged and left to finish on its own, and holds up neither the sweep nor the others.
/// </remarks>
internal sealed class SessionSweeper(
    SessionTracker tracker,
    IOptions<McpCompatOptions> options,
    TimeProvider timeProvider,
    ILogger<SessionSweeper> logger,
    McpCompatMetrics metrics,
    EvictionReport evictions) : IDisposable
{
    /// <summary>How long a sweep waits for the sessions it ends; slower ones finish in the background.</summary>
    public static readonly TimeSpan EvictionWait = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan MinimumDelay = TimeSpan.FromMilliseconds(1);

    // One sweep at a time: a sweep asked for while another runs waits for it, then finds what is still due.
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private long _heartbeat;
    private Task _evictions = Task.CompletedTask;

    /// <summary>Gets the <see cref="TimeProvider"/> timestamp of the last finished sweep or sweeper start; 0 before either.</summary>
    public long Heartbeat => Volatile.Read(ref _heartbeat);

    /// <summary>Gets how long ago the last sweep finished or the sweeper started; <see langword="null"/> before either.</summary>
    public TimeSpan? SinceHeartbeat => Heartbeat is var heartbeat and not 0 ? timeProvider.GetElapsedTime(heartbeat) : null;

    /// <summary>Records that the sweeper's loop is alive now (it starts, or a sweep finished).</summary>
    public void Beat() => Volatile.Write(ref _heartbeat, timeProvider.GetTimestamp());

    /// <summary>
    /// Gets a task that completes when every eviction started so far has finished, those a sweep stopped waiting for
    /// included (their claims released or their sessions gone).
    /// </summary>
    internal Task Evictions => Volatile.Read(ref _evictions);

    /// <summary>Runs one sweep and returns how many sessions it ended within <see cref="EvictionWait"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; claimed sessions return to service as their evictions give up.</exception>
    public async Task<int> SweepOnceAsync(CancellationToken cancellationToken = default)
    {
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var ended = await SweepAsync(cancellationToken).ConfigureAwait(false);
            evictions.SumUpIfDue();
            Beat();
            return ended;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>
    /// Returns how long the sweeper can sleep: until the longest-idle session reaches its deadline,
    /// at most <paramref name="longest"/> (so that sessions over <see cref="McpCompatOptions.MaxIdleSessions"/> are seen).
    /// </summary>
    public TimeSpan NextDelay(TimeSpan longest)
    {
        var idleTimeout = IdleTimeout(options.Value);
        if (idleTimeout == Timeout.InfiniteTimeSpan || tracker.OldestIdleTimestamp is not { } oldest)
        {
            return longest;
        }

        var remaining = idleTimeout - timeProvider.GetElapsedTime(oldest);
        return remaining < MinimumDelay ? MinimumDelay : remaining > longest ? longest : remaining;
    }

    public void Dispose() => _oneAtATime.Dispose();

    /// <summary>Converts a duration to <see cref="TimeProvider"/> timestamp units, exactly.</summary>
    internal static long ToTimestampUnits(TimeSpan duration, long frequency) =>
        frequency == TimeSpan.TicksPerSecond ? duration.Ticks : (long)((Int128)duration.Ticks * frequency / TimeSpan.TicksPerSecond);

    private static TimeSpan IdleTimeout(McpCompatOptions settings) => settings.SessionIdleTimeout ?? McpCompatDefaults.SessionIdleTimeout;

    private async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var idleTimeout = IdleTimeout(settings);
        var maxIdle = settings.MaxIdleSessions ?? McpCompatDefaults.MaxIdleSessions;
        var now = timeProvider.GetTimestamp();
        long? dueBefore = idleTimeout == Timeout.InfiniteTimeSpan ? null : now - ToTimestampUnits(idleTimeout, timeProvider.TimestampFrequency);

        var claims = new List<SessionClaim>();
        var overLimit = tracker.ClaimDue(dueBefore, maxIdle, claims);
        if (claims.Count == 0)
        {
            metrics.SweepCompleted(timeProvider.GetElapsedTime(now));
            return 0;
        }

        var batch = new EvictionBatch(claims.Count);

        // Sweeps run one at a time: no other sweep writes this meanwhile.
        var before = Volatile.Read(ref _evictions);
        Volatile.Write(ref _evictions, before.IsCompleted ? batch.Completion : Task.WhenAll(before, batch.Completion));
        for (var i = 0; i < claims.Count; i++)
        {
            var reason = i < claims.Count - overLimit ? EvictionReason.IdleTimeout : EvictionReason.MaxIdleSessions;
            _ = EvictAsync(claims[i], reason, now, batch, cancellationToken);
        }

        try
        {
            await batch.Completion.WaitAsync(EvictionWait, timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.EvictionsStillRunning(logger, batch.Pending, EvictionWait.TotalSeconds);
        }

        // Cancelled while the last evictions gave up: the batch may have completed first, the sweep still ends cancelled.
        cancellationToken.ThrowIfCancellationRequested();
        metrics.SweepCompleted(timeProvider.GetElapsedTime(now));
        return batch.Ended;
    }

    // Never throws: every outcome is recorded in the batch, and a failed eviction's claim is released in the tracker.
    private async Task EvictAsync(SessionClaim claim, EvictionReason reason, long now, EvictionBatch batch, CancellationToken cancellationToken)
    {
        var session = claim.Session;
        var ended = false;
        try
        {
            // On the thread pool: an evictor that blocks its caller holds up only its own session.
            await Task.Yield();

            // Claimed under the tracker's lock: a request arriving from now on is refused with 404, never raced.
            ended = await session.Evictor.EvictAsync(session, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Log.EvictionFailed(logger, session.Id, ex);
        }
        finally
        {
            if (ended)
            {
                // The evictor has removed the session from the tracker.
                evictions.Ended(session.Id, reason, timeProvider.GetElapsedTime(claim.IdleSince, now));
            }
            else
            {
                tracker.ReleaseClaim(session, timeProvider.GetTimestamp());
            }

            batch.Done(ended);
        }
    }

    /// <summary>Counts the evictions of one sweep as they finish; completes when the last one has.</summary>
    private sealed class EvictionBatch(int count)
    {
        private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _pending = count;
        private int _ended;

        public Task Completion => _completion.Task;

        public int Pending => Volatile.Read(ref _pending);

        public int Ended => Volatile.Read(ref _ended);

        public void Done(bool ended)
        {
            if (ended)
            {
                Interlocked.Increment(ref _ended);
            }

            if (Interlocked.Decrement(ref _pending) == 0)
            {
                _completion.TrySetResult();
            }
        }
    }
}
