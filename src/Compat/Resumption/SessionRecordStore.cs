using System.Collections.Concurrent;
using McpCompat.Telemetry;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;

namespace McpCompat.Resumption;

/// <summary>
/// The records of resumable sessions, in the application's <see cref="IDistributedCache"/>: the in-memory cache for one
/// instance, a shared one (Redis) for a fleet. Each record lives <see cref="McpCompatOptions.SessionResumeWindow"/>,
/// sliding: reading it (a resume) and writing it again (an eviction) start the window anew.
/// </summary>
/// <remarks>
/// <para>
/// A DELETE is final: <see cref="EndAsync"/> writes a tombstone under a key of its own before any copy of the session is
/// ended, and remembers the id on this instance (<see cref="SessionIdSet"/>). Every read checks both, and every record
/// written again (eviction, use) is checked against the tombstone after the write, so a write that raced a DELETE on
/// another instance is undone. The cache has no compare-and-set, hence the two keys.
/// </para>
/// <para>
/// Records are bounded: at most <see cref="McpCompatOptions.MaxSessionRecordBytes"/> each and
/// <see cref="McpCompatOptions.MaxSessionRecords"/> per instance (<see cref="RecordIndex"/>). Every call waits at most
/// <see cref="McpCompatOptions.SessionStoreTimeout"/>; concurrent reads of one id share one round trip and its outcome;
/// after a failure the store is left alone for one timeout, the calls meanwhile failing at once. A store that fails is
/// never silent (<see cref="SessionStoreMonitor"/>).
/// </para>
/// </remarks>
internal sealed partial class SessionRecordStore
{
    /// <summary>The prefix of every record key McpCompat writes to the cache.</summary>
    public const string KeyPrefix = "mcpcompat:session:";

    /// <summary>The prefix of every tombstone key: a session its client deleted.</summary>
    public const string TombstonePrefix = "mcpcompat:ended:";

    // Ids McpCompat and the SDK make are 22 characters of base64url; anything far longer or outside visible ASCII is
    // no session of ours and never reaches the cache.
    private const int MaxIdLength = 128;

    private static readonly byte[] Tombstone = "{\"v\":1,\"ended\":true}"u8.ToArray();

    private readonly IDistributedCache _cache;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly DistributedCacheEntryOptions _entry;
    private readonly ConcurrentDictionary<string, Task<RecordLookup>> _reads = new(StringComparer.Ordinal);
    private long _restUntil;

    public SessionRecordStore(IDistributedCache cache, SessionRecordSettings settings, SessionStoreMonitor monitor, TimeProvider timeProvider, ILogger logger)
    {
        _cache = cache;
        _timeProvider = timeProvider;
        _logger = logger;
        Settings = settings;
        Monitor = monitor;
        _entry = new DistributedCacheEntryOptions { SlidingExpiration = settings.Window };
        Ended = new SessionIdSet(timeProvider, settings.Window, settings.MaxRecords);
        Dropped = new SessionIdSet(timeProvider, settings.Window, settings.MaxRecords);
        Index = new RecordIndex(timeProvider, settings.Window, settings.MaxRecords);
    }

    /// <summary>Gets the limits the store keeps.</summary>
    public SessionRecordSettings Settings { get; }

    /// <summary>Gets the name of the cache the records are kept in (its type), for the start-up log.</summary>
    public string StoreName => _cache.GetType().Name;

    /// <summary>Gets how long a record outlives its session's last use.</summary>
    public TimeSpan Window => Settings.Window;

    /// <summary>Gets the sessions this instance saw deleted.</summary>
    public SessionIdSet Ended { get; }

    /// <summary>
    /// Gets the sessions whose record this instance deleted to keep <see cref="McpCompatOptions.MaxSessionRecords"/>:
    /// their record is not written again (an eviction would otherwise bring it back and push out another).
    /// </summary>
    public SessionIdSet Dropped { get; }

    /// <summary>Gets the records this instance wrote, counted against <see cref="McpCompatOptions.MaxSessionRecords"/>.</summary>
    public RecordIndex Index { get; }

    /// <summary>Gets what counts and reports the store's failures and lost records.</summary>
    public SessionStoreMonitor Monitor { get; }

    public static string KeyOf(string sessionId) => KeyPrefix + sessionId;

    public static string TombstoneKeyOf(string sessionId) => TombstonePrefix + sessionId;

    /// <summary>Whether <paramref name="sessionId"/> could name a session at all: 1 to 128 visible ASCII characters.</summary>
    public static bool IsPlausibleId(string sessionId) =>
        sessionId.Length is > 0 and <= MaxIdLength && !sessionId.AsSpan().ContainsAnyExceptInRange('!', '~');

    /// <summary>
    /// Reads the session's record, which starts its window anew. Requests for one id that arrive while a read is under
    /// way share it and its outcome; each waits at most the store timeout, and stops waiting when
    /// <paramref name="cancellationToken"/> fires (the shared read goes on for the others).
    /// </summary>
    public async Task<RecordLookup> FindAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (!IsPlausibleId(sessionId))
        {
            return RecordLookup.Missing;
        }

        if (Ended.Contains(sessionId))
        {
            return RecordLookup.Ended;
        }

        var read = new TaskCompletionSource<RecordLookup>(TaskCreationOptions.RunContinuationsAsynchronously);
        var shared = _reads.GetOrAdd(sessionId, read.Task);
        if (ReferenceEquals(shared, read.Task))
        {
            _ = ReadAndShareAsync(sessionId, read);
        }

        return await shared.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the record. <paramref name="again"/>: the session may have been deleted meanwhile (an eviction, or a
    /// session in use), so the write is checked against the tombstone and undone when there is one. A record too large,
    /// or a store that fails, leaves the session without one (counted and logged).
    /// </summary>
    public async Task<RecordWrite> SaveAsync(string sessionId, SessionRecord record, bool again)
    {
        if (Ended.Contains(sessionId))
        {
            return RecordWrite.Ended;
        }

        if (again && Dropped.Contains(sessionId))
        {
            return RecordWrite.Dropped;
        }

        var bytes = record.ToBytes();
        if (bytes.Length > Settings.MaxRecordBytes)
        {
            Index.Remove(sessionId);
            Monitor.Dropped(RecordDrop.TooLarge, sessionId,
                $"the record of session {sessionId} would take {bytes.Length} bytes, over McpCompat:MaxSessionRecordBytes = {Settings.MaxRecordBytes} (the client's capabilities and clientInfo make it up); the session goes on but cannot resume once evicted");
            return RecordWrite.TooLarge;
        }

        if (!await RunAsync(StoreOperation.Write, sessionId, ct => _cache.SetAsync(KeyOf(sessionId), bytes, _entry, ct)).ConfigureAwait(false))
        {
            // The write may still land: counted as if it had, so the limit holds either way.
            DropOverLimit(Index.Admit(sessionId, proven: false), "");
            return RecordWrite.Unavailable;
        }

        if (again)
        {
            byte[]? tombstone = null;
            if (await RunAsync(StoreOperation.Read, sessionId, async ct => tombstone = await _cache.GetAsync(TombstoneKeyOf(sessionId), ct).ConfigureAwait(false)).ConfigureAwait(false) &&
                tombstone is not null)
            {
                Forget(sessionId);
                await RunAsync(StoreOperation.Delete, sessionId, ct => _cache.RemoveAsync(KeyOf(sessionId), ct)).ConfigureAwait(false);
                return RecordWrite.Ended;
            }
        }

        DropOverLimit(Index.Admit(sessionId, proven: false), " (the oldest of sessions whose client had not come back since its handshake go first)");
        return RecordWrite.Saved;
    }

    /// <summary>
    /// A client deleted the session: writes its tombstone, then deletes its record; from the tombstone on, no instance
    /// resumes it. <see langword="false"/> when the tombstone could not be written (the store failed or did not answer):
    /// then nothing changed, and the DELETE is to be answered with an error the client can retry.
    /// </summary>
    public async Task<bool> EndAsync(string sessionId)
    {
        var tombstoneEntry = new DistributedCacheEntryOptions { SlidingExpiration = Settings.Window };
        if (!await RunAsync(StoreOperation.Delete, sessionId, ct => _cache.SetAsync(TombstoneKeyOf(sessionId), Tombstone, tombstoneEntry, ct)).ConfigureAwait(false))
        {
            return false;
        }

        Forget(sessionId);

        // The tombstone holds even if this fails: the record is refused wherever it is read.
        await RunAsync(StoreOperation.Delete, sessionId, ct => _cache.RemoveAsync(KeyOf(sessionId), ct)).ConfigureAwait(false);
        return true;
    }

    /// <summary>Remembers that the session was deleted (here or, as the fleet says, elsewhere): it never resumes on this instance.</summary>
    public void Forget(string sessionId)
    {
        Ended.Add(sessionId);
        Index.Remove(sessionId);
    }

    /// <summary>Counts a request on the session, which proves its record (<see cref="RecordIndex.Use"/>).</summary>
    public void Use(string sessionId) => Index.Use(sessionId);

    /// <summary>Counts the record of a session that resumed here: its client came back.</summary>
    public void Resumed(string sessionId) => DropOverLimit(Index.Admit(sessionId, proven: true), "");

    /// <summary>Deletes the records the limit pushed out; their sessions, live or not, never get one again.</summary>
    private void DropOverLimit(IReadOnlyList<string> over, string which)
    {
        foreach (var id in over)
        {
            Dropped.Add(id);
            Monitor.Dropped(RecordDrop.OverLimit, id,
                $"McpCompat deleted the record of session {id} to keep McpCompat:MaxSessionRecords = {Settings.MaxRecords}{which}; that session cannot resume once evicted");
            _ = RunAsync(StoreOperation.Delete, id, ct => _cache.RemoveAsync(KeyOf(id), ct));
        }
    }

    private async Task ReadAndShareAsync(string sessionId, TaskCompletionSource<RecordLookup> read)
    {
        RecordLookup result;
        try
        {
            result = await ReadAsync(sessionId).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Monitor.Failed(StoreOperation.Read, sessionId, ex, Settings.Timeout);
            result = RecordLookup.Unavailable;
        }
        finally
        {
            _reads.TryRemove(new KeyValuePair<string, Task<RecordLookup>>(sessionId, read.Task));
        }

        read.SetResult(result);
    }

    private async Task<RecordLookup> ReadAsync(string sessionId)
    {
        byte[]? tombstone = null;
        byte[]? bytes = null;
        var found = await RunAsync(StoreOperation.Read, sessionId, async ct =>
        {
            var tombstoneRead = _cache.GetAsync(TombstoneKeyOf(sessionId), ct);
            var recordRead = _cache.GetAsync(KeyOf(sessionId), ct);
            await Task.WhenAll(tombstoneRead, recordRead).ConfigureAwait(false);
            tombstone = await tombstoneRead.ConfigureAwait(false);
            bytes = await recordRead.ConfigureAwait(false);
        }).ConfigureAwait(false);
        if (!found)
        {
            return RecordLookup.Unavailable;
        }

        if (tombstone is not null)
        {
            Forget(sessionId);
            if (bytes is not null)
            {
                // A record written again after the DELETE, whose check failed: it goes now.
                _ = RunAsync(StoreOperation.Delete, sessionId, ct => _cache.RemoveAsync(KeyOf(sessionId), ct));
            }

            return RecordLookup.Ended;
        }

        if (bytes is null)
        {
            if (Index.Knows(sessionId))
            {
                Index.Remove(sessionId);
                Monitor.Dropped(RecordDrop.Lost, sessionId,
                    $"the record of session {sessionId}, written by this instance within McpCompat:SessionResumeWindow, is missing from the distributed cache (full, evicting entries, or restarted empty); the session cannot resume");
            }

            return RecordLookup.Missing;
        }

        if (SessionRecord.TryParse(bytes, out var problem) is not { } record)
        {
            Log.SessionRecordRefused(_logger, sessionId, problem!);
            return RecordLookup.Missing;
        }

        return RecordLookup.Of(record);
    }
}
