using System.Collections.Concurrent;

namespace McpCompat.MapMcp;

/// <summary>
/// The sessions the SDK's host is rebuilding on this instance right now: from the moment McpCompat's hook starts to
/// look at the record until the host has registered the session (the request's response starts, or it ends). A DELETE
/// of the session, here or told by the fleet, waits for them before it asks the host to end the session: the host's
/// DELETE does not wait for its own rebuilds, and would otherwise miss a session registered just after it.
/// </summary>
internal sealed class PendingMigrations(TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);

    /// <summary>Counts one rebuild of the session in; dispose the returned token when the host has registered it (or gave up).</summary>
    public Token Enter(string sessionId)
    {
        while (true)
        {
            var pending = _pending.GetOrAdd(sessionId, static _ => new Pending());
            lock (pending)
            {
                if (!pending.Retired)
                {
                    pending.Count++;
                    return new Token(this, sessionId, pending);
                }
            }
        }
    }

    /// <summary>Waits, at most <paramref name="timeout"/>, until no rebuild of the session is under way on this instance.</summary>
    public async Task WaitAsync(string sessionId, TimeSpan timeout)
    {
        if (!_pending.TryGetValue(sessionId, out var pending))
        {
            return;
        }

        try
        {
            await pending.Drained.Task.WaitAsync(timeout, timeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A rebuild that hangs is the host's to end; the DELETE goes on.
        }
    }

    private void Exit(string sessionId, Pending pending)
    {
        lock (pending)
        {
            if (--pending.Count > 0)
            {
                return;
            }

            pending.Retired = true;
        }

        _pending.TryRemove(new KeyValuePair<string, Pending>(sessionId, pending));
        pending.Drained.TrySetResult();
    }

    /// <summary>One rebuild counted in; disposing it (once, from any thread) counts it out.</summary>
    internal sealed class Token(PendingMigrations owner, string sessionId, Pending pending) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Exit(sessionId, pending);
            }
        }
    }

    internal sealed class Pending
    {
        public int Count;
        public bool Retired;

        public TaskCompletionSource Drained { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
