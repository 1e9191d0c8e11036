using McpCompat.StackExchangeRedis;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace McpCompat.Tests.Resumption;

/// <summary>
/// McpCompat.StackExchangeRedis's registration, without a Redis server: what it registers and how its settings are
/// bound and checked. <c>eng/fleet.sh</c> runs it against a real Redis server.
/// </summary>
public sealed class RedisRegistrationTests
{
    private static IHost Build(IDictionary<string, string?> settings, Action<IMcpServerBuilder> add)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        var mcp = builder.Services.AddMcpServer().AddMcpCompat(o => o.SessionResumeWindow = TimeSpan.FromDays(1));
        add(mcp);
        return builder.Build();
    }

    [Fact]
    public void AddMcpCompatRedis_RegistersTheRedisCacheAndChannel_OnOneConnection()
    {
        using var host = Build(new Dictionary<string, string?>(), m => m.AddMcpCompatRedis("127.0.0.1:1,abortConnect=false"));

        Assert.IsAssignableFrom<RedisCache>(host.Services.GetRequiredService<IDistributedCache>());
        Assert.IsType<RedisSessionEndChannel>(host.Services.GetRequiredService<IMcpSessionEndChannel>());
        var cache = host.Services.GetRequiredService<IOptions<RedisCacheOptions>>().Value;
        Assert.NotNull(cache.ConnectionMultiplexerFactory);
        Assert.Equal("127.0.0.1:1,abortConnect=false", host.Services.GetRequiredService<IOptions<McpCompatRedisOptions>>().Value.Configuration);
    }

    [Fact]
    public void Settings_BoundFromTheSection_CodeWins()
    {
        using var host = Build(
            new Dictionary<string, string?>
            {
                ["McpCompat:Redis:Configuration"] = "redis.internal:6379",
                ["McpCompat:Redis:Channel"] = "fleet-a",
                ["McpCompat:Redis:InstanceName"] = "app1:",
            },
            m => m.AddMcpCompatRedis(o => o.Channel = "fleet-b"));

        var options = host.Services.GetRequiredService<IOptions<McpCompatRedisOptions>>().Value;
        Assert.Equal("redis.internal:6379", options.Configuration);
        Assert.Equal("fleet-b", options.Channel);
        Assert.Equal("app1:", host.Services.GetRequiredService<IOptions<RedisCacheOptions>>().Value.InstanceName);
    }

    [Fact]
    public async Task Start_WithoutConfiguration_FailsNamingTheSetting()
    {
        using var host = Build(new Dictionary<string, string?> { ["McpCompat:Redis:Channel"] = " " }, m => m.AddMcpCompatRedis());

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(ex.Failures, f => f.StartsWith("McpCompat:Redis:Configuration = '' is invalid", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("McpCompat:Redis:Channel = ' ' is invalid", StringComparison.Ordinal));
    }

    [Fact]
    public void NullArguments_Throw()
    {
        var builder = new ServiceCollection().AddMcpServer();

        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => McpCompatRedisServerBuilderExtensions.AddMcpCompatRedis(null!)).ParamName);
        Assert.Equal("configuration", Assert.Throws<ArgumentNullException>(() => builder.AddMcpCompatRedis((string)null!)).ParamName);
        Assert.Equal("configuration", Assert.Throws<ArgumentException>(() => builder.AddMcpCompatRedis(" ")).ParamName);
        Assert.Equal("configure", Assert.Throws<ArgumentNullException>(() => builder.AddMcpCompatRedis((Action<McpCompatRedisOptions>)null!)).ParamName);
    }
}
