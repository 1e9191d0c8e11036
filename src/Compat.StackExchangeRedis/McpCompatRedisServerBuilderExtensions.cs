using McpCompat;
using McpCompat.StackExchangeRedis;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Puts McpCompat's resumable sessions in Redis, for a fleet: the records in Redis (the
/// <see cref="IDistributedCache"/> of <c>Microsoft.Extensions.Caching.StackExchangeRedis</c>) and a client's DELETE told
/// to every instance over Redis pub/sub (<see cref="IMcpSessionEndChannel"/>), on one connection.
/// </summary>
public static class McpCompatRedisServerBuilderExtensions
{
    /// <summary>
    /// Adds McpCompat's Redis with settings from the configuration section <c>McpCompat:Redis</c>
    /// (<see cref="McpCompatRedisOptions.Configuration"/> is required).
    /// </summary>
    /// <param name="builder">The MCP server builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IMcpServerBuilder AddMcpCompatRedis(this IMcpServerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddCore(builder.Services, configure: null);
        return builder;
    }

    /// <summary>Adds McpCompat's Redis at <paramref name="configuration"/>, a StackExchange.Redis configuration string.</summary>
    /// <param name="builder">The MCP server builder.</param>
    /// <param name="configuration">Where Redis is, such as <c>127.0.0.1:6379</c>.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IMcpServerBuilder AddMcpCompatRedis(this IMcpServerBuilder builder, string configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        AddCore(builder.Services, o => o.Configuration = configuration);
        return builder;
    }

    /// <summary>Adds McpCompat's Redis; <paramref name="configure"/> runs after the section <c>McpCompat:Redis</c> is bound.</summary>
    /// <param name="builder">The MCP server builder.</param>
    /// <param name="configure">Sets options in code.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IMcpServerBuilder AddMcpCompatRedis(this IMcpServerBuilder builder, Action<McpCompatRedisOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        AddCore(builder.Services, configure);
        return builder;
    }

    /// <summary>The registration, on the services of an MCP server or of any application (McpCompat Gateway).</summary>
    internal static void AddCore(IServiceCollection services, Action<McpCompatRedisOptions>? configure)
    {
        if (!services.Any(d => d.ServiceType == typeof(RedisConnection)))
        {
            // Bound from configuration first, so that values set in code win, by the configuration binder's source
            // generator; an application without IConfiguration (a bare service collection) binds nothing.
            services.AddOptions<McpCompatRedisOptions>().ValidateOnStart();
            services.AddSingleton<IConfigureOptions<McpCompatRedisOptions>>(sp => new ConfigureOptions<McpCompatRedisOptions>(o =>
                sp.GetService<IConfiguration>()?.GetSection(McpCompatRedisOptions.SectionName).Bind(o)));
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpCompatRedisOptions>, McpCompatRedisOptionsValidator>());
        services.TryAddSingleton<RedisConnection>();
        services.TryAddSingleton<IMcpSessionEndChannel, RedisSessionEndChannel>();

        // The cache on the same connection; an IDistributedCache registered before this is replaced.
        services.AddStackExchangeRedisCache(static _ => { });
        services.AddOptions<RedisCacheOptions>().Configure<IOptions<McpCompatRedisOptions>, RedisConnection>((cache, redis, connection) =>
        {
            cache.InstanceName = redis.Value.InstanceName;
            cache.ConnectionMultiplexerFactory = () => connection.GetAsync(CancellationToken.None);
        });
    }
}
