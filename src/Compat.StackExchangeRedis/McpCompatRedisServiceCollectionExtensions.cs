using McpCompat.StackExchangeRedis;
using Microsoft.Extensions.Caching.Distributed;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Puts McpCompat's records and the fleet's DELETE notices in Redis for an application that has no MCP server builder:
/// McpCompat Gateway (<c>services.AddMcpCompatGateway().AddMcpCompatRedis("127.0.0.1:6379")</c>). The same registration
/// as on the MCP server builder: the records in Redis (<see cref="IDistributedCache"/>) and a client's DELETE told to every
/// instance over Redis pub/sub (<see cref="McpCompat.IMcpSessionEndChannel"/>), on one connection.
/// </summary>
public static class McpCompatRedisServiceCollectionExtensions
{
    /// <summary>Adds McpCompat's Redis with settings from the configuration section <c>McpCompat:Redis</c>.</summary>
    /// <param name="services">The application's services.</param>
    /// <returns>The same services, for chaining.</returns>
    public static IServiceCollection AddMcpCompatRedis(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        McpCompatRedisServerBuilderExtensions.AddCore(services, configure: null);
        return services;
    }

    /// <summary>Adds McpCompat's Redis at <paramref name="configuration"/>, a StackExchange.Redis configuration string.</summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configuration">Where Redis is, such as <c>127.0.0.1:6379</c>.</param>
    /// <returns>The same services, for chaining.</returns>
    public static IServiceCollection AddMcpCompatRedis(this IServiceCollection services, string configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        McpCompatRedisServerBuilderExtensions.AddCore(services, o => o.Configuration = configuration);
        return services;
    }

    /// <summary>Adds McpCompat's Redis; <paramref name="configure"/> runs after the section <c>McpCompat:Redis</c> is bound.</summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Sets options in code.</param>
    /// <returns>The same services, for chaining.</returns>
    public static IServiceCollection AddMcpCompatRedis(this IServiceCollection services, Action<McpCompatRedisOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        McpCompatRedisServerBuilderExtensions.AddCore(services, configure);
        return services;
    }
}
