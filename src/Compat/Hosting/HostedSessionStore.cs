using System.Collections.Concurrent;
using McpCompat.Sessions;
using McpCompat.Telemetry;
using Microsoft.Extensions.Logging;

namespace McpCompat.Hosting;

/// <summary>The sessions <c>MapMcpCompat</c> hosts, by id; ends them when the sweeper, a DELETE or shutdown asks.</summary>
internal sealed class HostedSessionStore(SessionTracker tracker, TimeProvider timeProvider, ILogger<HostedSessionStore> logger, McpCompatMetrics? metrics = null) : ISessionEvictor
{
    /// <summary>How long ending a session waits for its server's run task.</summary>
    public static readonly TimeSpan DisposeWait = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, HostedSession> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    public void Add(HostedSession session) => _sessions[session.Id] = session;

    public HostedSession? Find(string id) => _sessions.TryGetValue(id, out var session) ? session : null;

    public async Task<bool> EvictAsync(TrackedSession session, CancellationToken cancellationToken)
    {
        await EndAsync(session.Id).ConfigureAwait(false);
        return true;
    }

    /// <summary>Forgets the session and disposes it; <see langword="false"/> when it was not (or no longer) hosted.</summary>
    public async Task<bool> EndAsync(string id)
    {
        if (!_sessions.TryRemove(id, out var session))
        {
            return false;
        }

        if (session.Tracked is { } tracked)
        {
            tracker.Remove(tracked);
        }

        try
        {
            await session.DisposeAsync(DisposeWait, timeProvider).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.HostedSessionDisposeFailed(logger, id, ex);
        }

        return true;
    }

    /// <summary>Ends every hosted session at once; each waits at most <see cref="DisposeWait"/>, so this does too.</summary>
    public Task EndAllAsync() => Task.WhenAll(_sessions.Keys.Select(EndAtShutdownAsync));

    private async Task EndAtShutdownAsync(string id)
    {
        if (await EndAsync(id).ConfigureAwait(false))
        {
            metrics?.SessionEnded(EvictionReason.Shutdown);
        }
    }
}
