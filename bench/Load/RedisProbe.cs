using System.Globalization;
using StackExchange.Redis;

namespace Load;

/// <summary>
/// What the drivers read from a Redis server on a connection of their own, beside McpCompat's: its memory, its keys,
/// the commands it processed. An admin connection (<c>FLUSHDB</c>, <c>INFO</c>).
/// </summary>
internal sealed class RedisProbe : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _redis;
    private readonly IServer _server;

    private RedisProbe(ConnectionMultiplexer redis)
    {
        _redis = redis;
        _server = redis.GetServers()[0];
    }

    /// <param name="configuration">A StackExchange.Redis configuration string, such as <c>127.0.0.1:6379</c>.</param>
    public static async Task<RedisProbe> ConnectAsync(string configuration) =>
        new(await ConnectionMultiplexer.ConnectAsync(configuration + ",allowAdmin=true"));

    /// <summary>Empties the database (<c>FLUSHDB</c>).</summary>
    public Task FlushAsync() => _server.FlushDatabaseAsync();

    /// <summary>The server's <c>used_memory</c> (<c>INFO memory</c>), in bytes.</summary>
    public Task<long> UsedMemoryAsync() => InfoAsync("memory", "used_memory");

    /// <summary>The server's <c>total_commands_processed</c> (<c>INFO stats</c>) since it started.</summary>
    public Task<long> CommandsProcessedAsync() => InfoAsync("stats", "total_commands_processed");

    /// <summary>The keys of the database (<c>DBSIZE</c>), whatever their name.</summary>
    public Task<long> DatabaseSizeAsync() => _server.DatabaseSizeAsync();

    /// <summary>The keys whose name matches <paramref name="pattern"/>, counted with <c>SCAN</c> (a key seen twice counts once).</summary>
    public async Task<int> CountKeysAsync(string pattern)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var key in _server.KeysAsync(pattern: pattern, pageSize: 1_000))
        {
            keys.Add(key.ToString());
        }

        return keys.Count;
    }

    public Task<bool> ExistsAsync(string key) => _redis.GetDatabase().KeyExistsAsync(key);

    /// <summary>The mean of Redis's <c>MEMORY USAGE</c> over the keys: what one costs in Redis, its name included.</summary>
    public async Task<long> MeanMemoryUsageAsync(IEnumerable<string> keys)
    {
        var db = _redis.GetDatabase();
        var sizes = new List<long>();
        foreach (var key in keys)
        {
            sizes.Add((long)await db.ExecuteAsync("MEMORY", "USAGE", key));
        }

        return (long)Math.Round(sizes.Average());
    }

    public ValueTask DisposeAsync() => _redis.DisposeAsync();

    private async Task<long> InfoAsync(string section, string field)
    {
        var info = await _server.InfoAsync(section);
        return long.Parse(info.SelectMany(g => g).First(p => p.Key == field).Value, CultureInfo.InvariantCulture);
    }
}
