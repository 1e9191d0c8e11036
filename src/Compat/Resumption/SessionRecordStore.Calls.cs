namespace McpCompat.Resumption;

/// <summary>The store's calls on the cache: each bounded by the store timeout, and none while the store rests after a failure.</summary>
internal sealed partial class SessionRecordStore
{
    /// <summary>
    /// Runs one call on the cache, waiting at most the store timeout (a cache client that ignores cancellation is left to
    /// finish on its own); <see langword="false"/>, counted and logged, when it failed or did not answer.
    /// </summary>
    private async Task<bool> RunAsync(StoreOperation operation, string sessionId, Func<CancellationToken, Task> call)
    {
        if (IsResting())
        {
            Monitor.Skipped(operation, sessionId);
            return false;
        }

        using var timeout = new CancellationTokenSource(Settings.Timeout, _timeProvider);
        Task task;
        try
        {
            task = call(timeout.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Rest();
            Monitor.Failed(operation, sessionId, ex, Settings.Timeout);
            return false;
        }

        try
        {
            // One timer per call, made before the call starts: the token's.
            await task.WaitAsync(timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // Observe the call's own outcome whenever it comes, so a late failure is not reported as unobserved.
            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            Rest();
            Monitor.Failed(operation, sessionId, exception: null, Settings.Timeout);
            return false;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Rest();
            Monitor.Failed(operation, sessionId, ex, Settings.Timeout);
            return false;
        }
    }

    /// <summary>
    /// After a failure or a timeout the store is left alone for one store timeout: calls meanwhile fail at once instead of
    /// each waiting for it (a convoy where something in front of McpCompat serializes the requests for one id, as the
    /// SDK host's own rebuild lock does, or an initialize storm during an outage). The first call after that tries again.
    /// </summary>
    private void Rest() => Interlocked.Exchange(ref _restUntil, _timeProvider.GetTimestamp() + (long)(Settings.Timeout.TotalSeconds * _timeProvider.TimestampFrequency));

    private bool IsResting() => Interlocked.Read(ref _restUntil) is var until and > 0 && _timeProvider.GetTimestamp() < until;
}
