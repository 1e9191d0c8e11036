using McpCompat.Telemetry;
using Microsoft.Extensions.Logging;

namespace McpCompat.Resumption;

/// <summary>
/// Makes a failing or full session store loud: every failure of the distributed cache (an error or no answer within
/// <see cref="McpCompatOptions.SessionStoreTimeout"/>) and every record lost (too large, over
/// <see cref="McpCompatOptions.MaxSessionRecords"/>, or missing from the store though this instance wrote it) is
/// counted in the metrics at once; the first of a quiet spell is logged at once as a warning, the rest in one warning with
/// their counts per <see cref="SummaryInterval"/>, so a store that fails for every request does not write a line per
/// request. The health check reads <see cref="Problem"/>.
/// </summary>
internal sealed class SessionStoreMonitor : IDisposable
{
    /// <summary>How often the problems of a spell are summed up in one warning; also how long the health check stays degraded after the last.</summary>
    public static readonly TimeSpan SummaryInterval = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _timeProvider;
    private readonly McpCompatMetrics _metrics;
    private readonly ILogger _logger;
    private readonly object _lock = new();
    private readonly Dictionary<string, int> _pending = new(StringComparer.Ordinal);
    private ITimer? _summary;
    private long _lastProblem;
    private string? _lastProblemText;
    private bool _disposed;

    public SessionStoreMonitor(TimeProvider timeProvider, McpCompatMetrics metrics, ILogger logger)
    {
        _timeProvider = timeProvider;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>
    /// Gets the last problem, when one happened within <see cref="SummaryInterval"/>: the store is failing or losing
    /// records; <see langword="null"/> otherwise.
    /// </summary>
    public string? Problem
    {
        get
        {
            lock (_lock)
            {
                return _lastProblemText is not null && _timeProvider.GetElapsedTime(_lastProblem) < SummaryInterval ? _lastProblemText : null;
            }
        }
    }

    /// <summary>A store operation failed: it threw, or did not answer within the store timeout.</summary>
    public void Failed(StoreOperation operation, string sessionId, Exception? exception, TimeSpan timeout)
    {
        var what = exception is null ? "timeout" : exception.GetType().Name;
        _metrics.SessionStoreFailed(operation, what);
        var text = exception is null
            ? $"the distributed cache did not answer a {Name(operation)} within McpCompat:SessionStoreTimeout ({timeout.TotalSeconds:0.###} s)"
            : $"a {Name(operation)} in the distributed cache threw {exception.GetType().Name}: {exception.Message}";
        Report($"{Name(operation)} {(exception is null ? "timed out" : "failed")}", text, sessionId, exception);
    }

    /// <summary>A store operation was not tried: the store failed within the last store timeout and is left alone meanwhile.</summary>
    public void Skipped(StoreOperation operation, string sessionId)
    {
        _metrics.SessionStoreFailed(operation, "resting");
        Report($"{Name(operation)} not tried", $"the distributed cache failed within the last McpCompat:SessionStoreTimeout, so a {Name(operation)} was not tried", sessionId, exception: null);
    }

    /// <summary>A session lost its record, or never got one: it cannot resume once evicted.</summary>
    public void Dropped(RecordDrop reason, string sessionId, string detail)
    {
        _metrics.SessionRecordDropped(reason);
        Report(Name(reason), detail, sessionId, exception: null);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _summary?.Dispose();
        }
    }

    private void Report(string kind, string text, string sessionId, Exception? exception)
    {
        bool first;
        lock (_lock)
        {
            first = _lastProblemText is null || _timeProvider.GetElapsedTime(_lastProblem) >= SummaryInterval;
            _lastProblem = _timeProvider.GetTimestamp();
            _lastProblemText = text;
            if (!first)
            {
                _pending[kind] = _pending.GetValueOrDefault(kind) + 1;
                if (_summary is null && !_disposed)
                {
                    _summary = _timeProvider.CreateTimer(static state => ((SessionStoreMonitor)state!).Summarize(), this, SummaryInterval, Timeout.InfiniteTimeSpan);
                }
            }
        }

        if (first)
        {
            Log.SessionStoreProblem(_logger, sessionId, text, SummaryInterval.TotalSeconds, exception);
        }
    }

    private void Summarize()
    {
        string counts;
        int total;
        lock (_lock)
        {
            _summary?.Dispose();
            _summary = null;
            total = _pending.Values.Sum();
            counts = string.Join(", ", _pending.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}"));
            _pending.Clear();
        }

        if (total > 0)
        {
            Log.SessionStoreProblems(_logger, total, SummaryInterval.TotalSeconds, counts);
        }
    }

    private static string Name(StoreOperation operation) => operation switch
    {
        StoreOperation.Read => "record read",
        StoreOperation.Write => "record write",
        StoreOperation.Delete => "record deletion",
        _ => "store operation",
    };

    private static string Name(RecordDrop reason) => reason switch
    {
        RecordDrop.TooLarge => "records too large",
        RecordDrop.OverLimit => "records over McpCompat:MaxSessionRecords",
        RecordDrop.Lost => "records missing from the store",
        _ => "records dropped",
    };
}

/// <summary>What McpCompat asked of the distributed cache that keeps session records.</summary>
internal enum StoreOperation
{
    /// <summary>Reading a record (and its tombstone) to resume a session or check a DELETE.</summary>
    Read,

    /// <summary>Writing a record: at the handshake, at an eviction, or while the session is in use.</summary>
    Write,

    /// <summary>Writing a tombstone and deleting a record: a client's DELETE.</summary>
    Delete,
}

/// <summary>Why a session has no record, so cannot resume once evicted.</summary>
internal enum RecordDrop
{
    /// <summary>Larger than <see cref="McpCompatOptions.MaxSessionRecordBytes"/>: never written.</summary>
    TooLarge,

    /// <summary>Deleted to stay within <see cref="McpCompatOptions.MaxSessionRecords"/>.</summary>
    OverLimit,

    /// <summary>Written by this instance within the window, and missing from the store when needed: the store dropped it (full, or restarted empty).</summary>
    Lost,
}

/// <summary>Counts store failures and dropped records, with the tag values the metrics document.</summary>
internal static class StoreTelemetry
{
    /// <summary>Counts one call on the store of session records that failed or timed out.</summary>
    public static void SessionStoreFailed(this McpCompatMetrics metrics, StoreOperation operation, string errorType) =>
        metrics.SessionStoreFailed(
            operation switch
            {
                StoreOperation.Read => "read",
                StoreOperation.Write => "write",
                StoreOperation.Delete => "delete",
                _ => "other",
            },
            errorType);

    /// <summary>Counts one session whose record was dropped or never written.</summary>
    public static void SessionRecordDropped(this McpCompatMetrics metrics, RecordDrop reason) =>
        metrics.SessionRecordDropped(reason switch
        {
            RecordDrop.TooLarge => "too_large",
            RecordDrop.OverLimit => "max_records",
            RecordDrop.Lost => "lost",
            _ => "other",
        });
}
