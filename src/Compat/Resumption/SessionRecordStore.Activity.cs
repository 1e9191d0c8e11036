using System.Text;
using Microsoft.Extensions.Caching.Distributed;

namespace McpCompat.Resumption;

/// <summary>Which instance last served a session: McpCompat Gateway's fleet, so that an idle copy does not end a session another instance serves.</summary>
internal sealed partial class SessionRecordStore
{
    /// <summary>The prefix of the keys that say which instance last served a session (McpCompat Gateway's fleet).</summary>
    public const string ActivePrefix = "mcpcompat:active:";

    public static string ActiveKeyOf(string sessionId) => ActivePrefix + sessionId;

    /// <summary>
    /// Says that instance <paramref name="holder"/> served session <paramref name="sessionId"/> just now, for
    /// <paramref name="lifetime"/> (the idle timeout): an instance whose own copy fell idle meanwhile lets go of its copy
    /// without ending the session where it lives. Best effort: a failure is counted and logged like any other.
    /// </summary>
    public Task MarkActiveAsync(string sessionId, string holder, TimeSpan lifetime)
    {
        var entry = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetime };
        var bytes = Encoding.UTF8.GetBytes(holder);
        return RunAsync(StoreOperation.Write, sessionId, ct => _cache.SetAsync(ActiveKeyOf(sessionId), bytes, entry, ct));
    }

    /// <summary>Gets the instance that last served session <paramref name="sessionId"/> within its idle timeout, or <see langword="null"/> (none, or the store did not answer).</summary>
    public async Task<string?> ActiveHolderAsync(string sessionId)
    {
        byte[]? bytes = null;
        await RunAsync(StoreOperation.Read, sessionId, async ct => bytes = await _cache.GetAsync(ActiveKeyOf(sessionId), ct).ConfigureAwait(false)).ConfigureAwait(false);
        return bytes is null ? null : Encoding.UTF8.GetString(bytes);
    }
}
