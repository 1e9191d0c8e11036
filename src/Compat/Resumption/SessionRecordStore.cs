using McpCompat.Telemetry;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;

namespace McpCompat.Resumption;

/// <summary>
/// The records of resumable sessions, in the application's <see cref="IDistributedCache"/>: the in-memory cache for one
/// instance, a shared one (Redis) for a fleet. Each record lives <see cref="McpCompatOptions.SessionResumeWindow"/>,
/// sliding: reading it (a resume) and writing it again (an eviction) start the window anew. A store that fails is
/// logged and treated as holding nothing: the request gets the answer for an unknown session, never a 500.
/// </summary>
internal sealed class SessionRecordStore(IDistributedCache cache, TimeSpan window, ILogger logger)
{
    /// <summary>The prefix of every key McpCompat writes to the cache.</summary>
    public const string KeyPrefix = "mcpcompat:session:";

    // Ids McpCompat and the SDK make are 22 characters of base64url; anything far longer or outside visible ASCII is
    // no session of ours and never reaches the cache.
    private const int MaxIdLength = 128;

    private readonly DistributedCacheEntryOptions _entry = new() { SlidingExpiration = window };

    /// <summary>Gets how long a record outlives its session's last use.</summary>
    public TimeSpan Window => window;

    public static string KeyOf(string sessionId) => KeyPrefix + sessionId;

    /// <summary>Whether <paramref name="sessionId"/> could name a session at all: 1 to 128 visible ASCII characters.</summary>
    public static bool IsPlausibleId(string sessionId) =>
        sessionId.Length is > 0 and <= MaxIdLength && !sessionId.AsSpan().ContainsAnyExceptInRange('!', '~');

    /// <summary>Writes the record; <see langword="false"/> (logged) when the cache failed, so the session cannot come back.</summary>
    public async Task<bool> SaveAsync(string sessionId, SessionRecord record, CancellationToken cancellationToken)
    {
        try
        {
            await cache.SetAsync(KeyOf(sessionId), record.ToBytes(), _entry, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.SessionRecordSaveFailed(logger, sessionId, ex);
            return false;
        }
    }

    /// <summary>
    /// Reads the session's record, which starts its window anew: <see langword="null"/> when there is none, it cannot
    /// be read (logged, with the reason), or the cache failed (logged).
    /// </summary>
    public async Task<SessionRecord?> FindAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (!IsPlausibleId(sessionId))
        {
            return null;
        }

        byte[]? bytes;
        try
        {
            bytes = await cache.GetAsync(KeyOf(sessionId), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.SessionRecordReadFailed(logger, sessionId, ex);
            return null;
        }

        if (bytes is null)
        {
            return null;
        }

        if (SessionRecord.TryParse(bytes, out var problem) is not { } record)
        {
            Log.SessionRecordRefused(logger, sessionId, problem!);
            return null;
        }

        return record;
    }

    /// <summary>Deletes the session's record: it cannot come back. <see langword="false"/> (logged) when the cache failed.</summary>
    public async Task<bool> RemoveAsync(string sessionId, CancellationToken cancellationToken)
    {
        try
        {
            await cache.RemoveAsync(KeyOf(sessionId), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.SessionRecordRemoveFailed(logger, sessionId, ex);
            return false;
        }
    }
}
