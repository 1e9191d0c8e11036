using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Distributed;

namespace McpCompat.Tests.Support;

/// <summary>
/// An <see cref="IDistributedCache"/> on a <see cref="TimeProvider"/>: sliding and absolute expiration as the real caches
/// apply them (a read or a refresh slides), so a test moves records through their window with a fake clock. It can be
/// told to fail, as a cache server that went away does; to stall, as one that stopped answering does (every call waits
/// until <see cref="Unstall"/>); or to hold the next read of a session record, its value taken, until the test lets it go.
/// </summary>
internal sealed class FakeDistributedCache(TimeProvider time) : IDistributedCache
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Gets or sets whether every call throws, as a cache whose server is unreachable does.</summary>
    public bool Failing { get; set; }

    private readonly object _lock = new();
    private TaskCompletionSource? _stall;
    private TaskCompletionSource _stalledCall = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HeldRead? _heldRead;

    public int Writes;

    public int RecordReads;

    /// <summary>Gets a task that completes when a call has reached the stall (<see cref="Stall"/>).</summary>
    public Task StalledCall
    {
        get
        {
            lock (_lock)
            {
                return _stalledCall.Task;
            }
        }
    }

    /// <summary>Makes every later call wait until <see cref="Unstall"/>, as a cache server that stopped answering.</summary>
    public void Stall()
    {
        lock (_lock)
        {
            _stall ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _stalledCall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Lets the stalled calls go on, in the state the cache is in now.</summary>
    public void Unstall()
    {
        TaskCompletionSource? stall;
        lock (_lock)
        {
            stall = _stall;
            _stall = null;
        }

        stall?.TrySetResult();
    }

    /// <summary>
    /// Holds the next read of a session record: its value is taken when it is asked for, and given back once
    /// <see cref="HeldRead.Release"/> is called; <see cref="HeldRead.Reached"/> completes when it is asked for.
    /// </summary>
    public HeldRead HoldNextRecordRead()
    {
        var held = new HeldRead();
        lock (_lock)
        {
            _heldRead = held;
        }

        return held;
    }

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

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        var isRecord = key.StartsWith("mcpcompat:session:", StringComparison.Ordinal);
        if (isRecord)
        {
            Interlocked.Increment(ref RecordReads);
        }

        await StallAsync();
        HeldRead? held = null;
        if (isRecord)
        {
            lock (_lock)
            {
                held = _heldRead;
                _heldRead = null;
            }
        }

        var value = Get(key);
        if (held is not null)
        {
            held.Reach();
            await held.Released;
        }

        return value;
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        Check();
        Interlocked.Increment(ref Writes);
        var now = time.GetUtcNow();
        _entries[key] = new Entry(value, options, now + options.AbsoluteExpirationRelativeToNow ?? options.AbsoluteExpiration) { Touched = now };
    }

    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        await StallAsync();
        Set(key, value, options);
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

    public async Task RemoveAsync(string key, CancellationToken token = default)
    {
        await StallAsync();
        Remove(key);
    }

    private Task StallAsync()
    {
        lock (_lock)
        {
            if (_stall is null)
            {
                return Task.CompletedTask;
            }

            _stalledCall.TrySetResult();
            return _stall.Task;
        }
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

    /// <summary>A read held by <see cref="HoldNextRecordRead"/>.</summary>
    internal sealed class HeldRead
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Gets a task that completes when the read has been asked for.</summary>
        public Task Reached => _reached.Task;

        public Task Released => _released.Task;

        public void Release() => _released.TrySetResult();

        public void Reach() => _reached.TrySetResult();
    }
}
