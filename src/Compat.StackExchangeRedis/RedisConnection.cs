using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace McpCompat.StackExchangeRedis;

/// <summary>
/// The one Redis connection McpCompat's cache and channel share, opened on first use. It does not give up when Redis is
/// down at first (<c>abortConnect=false</c>): it keeps reconnecting, and the cache's callers see errors meanwhile,
/// which McpCompat logs and answers as for an unknown session.
/// </summary>
internal sealed class RedisConnection(IOptions<McpCompatRedisOptions> options) : IAsyncDisposable
{
    private readonly Lazy<Task<IConnectionMultiplexer>> _connection = new(() => ConnectAsync(options.Value));

    public Task<IConnectionMultiplexer> GetAsync(CancellationToken cancellationToken) => _connection.Value.WaitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_connection.IsValueCreated && _connection.Value.IsCompletedSuccessfully)
        {
            await _connection.Value.Result.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<IConnectionMultiplexer> ConnectAsync(McpCompatRedisOptions options)
    {
        var configuration = ConfigurationOptions.Parse(options.Configuration!);
        configuration.AbortOnConnectFail = false;
        return await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
    }
}
