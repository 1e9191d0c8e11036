using System.Collections.Concurrent;
using System.Security.Claims;
using McpCompat.Resumption;
using McpCompat.Telemetry;
using Microsoft.Extensions.Logging;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// Rebuilds, under its old id, a session <c>MapMcpCompat</c> evicted: from its record, a new transport and server (the
/// SDK's, as for any session) that go through the session's handshake again (<see cref="HandshakeReplay"/>). One rebuild
/// per id at a time: the requests that ask for it meanwhile share it and its outcome.
/// </summary>
internal sealed class SessionRebuilder(
    HostedSessionFactory sessions,
    HandshakeReplay replay,
    SessionResumption resumption,
    McpCompatMetrics metrics,
    ILogger<McpCompatEndpoint> logger)
{
    private readonly ConcurrentDictionary<string, Task<Rebuilt>> _rebuilds = new(StringComparer.Ordinal);

    /// <summary>
    /// Rebuilds session <paramref name="sessionId"/> from its record for <paramref name="user"/>, or joins the rebuild of it
    /// under way. Not tied to the request that asked first: the others wait for it too.
    /// </summary>
    public Task<Rebuilt> RebuildAsync(string sessionId, SessionRecord record, ClaimsPrincipal user)
    {
        var attempt = new TaskCompletionSource<Rebuilt>(TaskCreationOptions.RunContinuationsAsynchronously);
        var shared = _rebuilds.GetOrAdd(sessionId, attempt.Task);
        if (ReferenceEquals(shared, attempt.Task))
        {
            _ = RebuildAndShareAsync(sessionId, record, user, attempt);
        }

        return shared;
    }

    private async Task RebuildAndShareAsync(string sessionId, SessionRecord record, ClaimsPrincipal user, TaskCompletionSource<Rebuilt> attempt)
    {
        Rebuilt rebuilt;
        try
        {
            rebuilt = await RebuildOnceAsync(sessionId, record, user).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.SessionRecordRefused(logger, sessionId, $"rebuilding the session threw {ex.GetType().Name}: {ex.Message}");
            rebuilt = default;
        }
        finally
        {
            _rebuilds.TryRemove(new KeyValuePair<string, Task<Rebuilt>>(sessionId, attempt.Task));
        }

        attempt.SetResult(rebuilt);
    }

    /// <summary>
    /// Rebuilds the session under its old id: a new transport and server, which go through the session's handshake again.
    /// Not tied to the request that asked first: the others wait for it too. A session deleted meanwhile (here, or by the
    /// fleet) is discarded, so a DELETE answered 200 is final even against a rebuild already under way.
    /// </summary>
    private async Task<Rebuilt> RebuildOnceAsync(string sessionId, SessionRecord record, ClaimsPrincipal user)
    {
        var reopened = await sessions.ReopenAsync(sessionId, record).ConfigureAwait(false);
        if (!reopened.IsNew || reopened.Session is not { } session)
        {
            return new Rebuilt(reopened.Session, reopened.NoRoom);
        }

        var records = resumption.Records!;
        string? problem;
        try
        {
            problem = await replay.ReplayAsync(session, record, user).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            problem = session.Tracked.IsGone ? "the session was ended while it was rebuilt" : $"the SDK threw {ex.GetType().Name}: {ex.Message}";
        }

        sessions.FinishStart(session);

        // Deleted while it was rebuilt: the DELETE remembered the id before it ended the copies it found.
        if (records.Ended.Contains(sessionId))
        {
            await sessions.DiscardAsync(session).ConfigureAwait(false);
            return default;
        }

        if (problem is not null)
        {
            await sessions.DiscardAsync(session).ConfigureAwait(false);
            Log.SessionRecordRefused(logger, sessionId, $"the rebuilt handshake failed: {problem}");
            metrics.SessionResumed(succeeded: false);
            return default;
        }

        records.Resumed(sessionId);
        metrics.SessionResumed(succeeded: true);
        Log.SessionResumed(logger, sessionId, record.ProtocolVersion);
        return new Rebuilt(session, NoRoom: false);
    }

    /// <summary>What a rebuild gave: the session, hosted; no room for it (<see cref="McpCompatOptions.MaxSessions"/>); or nothing (404).</summary>
    public readonly record struct Rebuilt(HostedSession? Session, bool NoRoom);
}
