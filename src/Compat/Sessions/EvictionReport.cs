using System.Globalization;
using McpCompat.Telemetry;
using Microsoft.Extensions.Logging;

namespace McpCompat.Sessions;

/// <summary>
/// Tells of the sessions McpCompat ends (idle timeout, idle-session limit, session limit): counted in the metrics, one
/// Debug line per session, and one Information line per <see cref="Interval"/> that sums them up, so that an operator
/// sees McpCompat at work without a line per session.
/// </summary>
internal sealed class EvictionReport(McpCompatMetrics metrics, TimeProvider timeProvider, ILogger<SessionSweeper> logger)
{
    /// <summary>The longest a count waits before it is logged.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private static readonly EvictionReason[] Reasons = [EvictionReason.IdleTimeout, EvictionReason.MaxIdleSessions, EvictionReason.MaxSessions];

    private readonly int[] _counts = new int[Reasons.Length];
    private readonly object _summing = new();
    private long _since = timeProvider.GetTimestamp();

    /// <summary>Tells of one session McpCompat ended, idle for <paramref name="idle"/>.</summary>
    public void Ended(string sessionId, EvictionReason reason, TimeSpan idle)
    {
        metrics.SessionEnded(reason);
        if (Array.IndexOf(Reasons, reason) is var index and >= 0)
        {
            Interlocked.Increment(ref _counts[index]);
        }

        if (logger.IsEnabled(LogLevel.Debug))
        {
            var reasonName = reason.ToString();
            Log.SessionEvicted(logger, sessionId, reasonName, idle.TotalSeconds);
        }
    }

    /// <summary>Logs the sum once <see cref="Interval"/> has passed since the last one (or the start), if a session ended meanwhile.</summary>
    public void SumUpIfDue()
    {
        lock (_summing)
        {
            var elapsed = timeProvider.GetElapsedTime(_since);
            if (elapsed < Interval)
            {
                return;
            }

            _since = timeProvider.GetTimestamp();
            var total = 0;
            var parts = new List<string>(Reasons.Length);
            for (var i = 0; i < Reasons.Length; i++)
            {
                if (Interlocked.Exchange(ref _counts[i], 0) is var count and > 0)
                {
                    total += count;
                    parts.Add(string.Create(CultureInfo.InvariantCulture, $"{Reasons[i].ToTag()} {count}"));
                }
            }

            if (total > 0)
            {
                var seconds = (int)Math.Round(elapsed.TotalSeconds);
                var reasons = string.Join(", ", parts);
                Log.SessionsEnded(logger, total, seconds, reasons);
            }
        }
    }
}
