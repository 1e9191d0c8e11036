using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Distributed;

namespace McpCompat.Tests.Support;

/// <summary>
/// An <see cref="IDistributedCache"/> on a <see cref="TimeProvider"/>: sliding and absolute expiration as the real caches
/// apply them (a read or a refresh slides), so a test moves records through their window with a fake clock. It can be
/// told to fail, as a cache server that went away does.
/// </summary>
internal sealed class FakeDistributedCache(TimeProvider time) : IDistributedCache
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Gets or sets whether every call throws, as a cache whose server is unreachable does.</summary>
    public bool Failing { get; set; }

    public int Writes;

    public ICollection<string> Keys => _entries.Keys;

    public DistributedCacheEntryOptions? OptionsOf(string key) => _entries.TryGetValue(key, out var entry) ? entry.Options : null;

    /// <summary>The stored bytes, without sliding the entry's expiration.</summary>
    public byte[]? Peek(string key) => _entries.TryGetValue(key, out var entry) && !Expired(entry) ? entry.Value : null;

    public byte[]? Get(string key)
    {
        Check();
        if (!_entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        if (Expired(entry))
        {
            _entries.TryRemove(key, out _);
            return null;
        }

        entry.Touched = time.GetUtcNow();
        return entry.Value;
    }

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromResult(Get(key));

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        Check();
        Interlocked.Increment(ref Writes);
        var now = time.GetUtcNow();
        _entries[key] = new Entry(value, options, now + options.AbsoluteExpirationRelativeToNow ?? options.AbsoluteExpiration) { Touched = now };
    }

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        Set(key, value, options);
        return Task.CompletedTask;
    }

    public void Refresh(string key) => Get(key);

    public Task RefreshAsync(string key, CancellationToken token = default)
    {
        Refresh(key);
        return Task.CompletedTask;
    }

    public void Remove(string key)
    {
        Check();
        _entries.TryRemove(key, out _);
    }

    public Task RemoveAsync(string key, CancellationToken token = default)
    {
        Remove(key);
        return Task.CompletedTask;
    }

    private bool Expired(Entry entry)
    {
        var now = time.GetUtcNow();
        return (entry.Absolute is { } absolute && now >= absolute) ||
            (entry.Options.SlidingExpiration is { } sliding && now - entry.Touched >= sliding);
    }

    private void Check()
    {
        if (Failing)
        {
            throw new InvalidOperationException("The cache server is unreachable.");
        }
    }

    private sealed class Entry(byte[] value, DistributedCacheEntryOptions options, DateTimeOffset? absolute)
    {
        public byte[] Value { get; } = value;

        public DistributedCacheEntryOptions Options { get; } = options;

        public DateTimeOffset? Absolute { get; } = absolute;

        public DateTimeOffset Touched { get; set; }
    }
}
