using McpCompat.Options;
using McpCompat.Probing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace McpCompat.Tests.Options;

public sealed class McpCompatOptionsTests
{
    private static IHost BuildHost(IDictionary<string, string?> settings, Action<McpCompatOptions>? configure = null, Action<IMcpServerBuilder>? extra = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        var mcp = builder.Services.AddMcpServer();
        if (configure is null)
        {
            mcp.AddMcpCompat();
        }
        else
        {
            mcp.AddMcpCompat(configure);
        }

        extra?.Invoke(mcp);
        return builder.Build();
    }

    private static McpCompatOptions Bind(IDictionary<string, string?> settings, Action<McpCompatOptions>? configure = null)
    {
        using var host = BuildHost(settings, configure);
        return host.Services.GetRequiredService<IOptions<McpCompatOptions>>().Value;
    }

    private static async Task<OptionsValidationException> StartExpectingFailureAsync(IDictionary<string, string?> settings, Action<McpCompatOptions>? configure = null)
    {
        using var host = BuildHost(settings, configure);
        return await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
    }

    [Fact]
    public void Defaults_NothingSet_NothingForwarded()
    {
        var options = Bind(new Dictionary<string, string?>());

        Assert.Null(options.SessionIdleTimeout);
        Assert.Null(options.MaxIdleSessions);
        Assert.Equal(McpCompatMode.Auto, options.Mode);
        Assert.Equal(TimeSpan.FromSeconds(1), options.SweepInterval);
        Assert.False(options.Guard);
        Assert.Equal(TimeSpan.Zero, options.SessionResumeWindow);
        Assert.Equal(10_000, options.MaxSessionRecords);
        Assert.Equal(4_096, options.MaxSessionRecordBytes);
        Assert.Equal(TimeSpan.FromSeconds(2), options.SessionStoreTimeout);
        Assert.Equal(TimeSpan.FromHours(2), McpCompatDefaults.SessionIdleTimeout);
        Assert.Equal(10_000, McpCompatDefaults.MaxIdleSessions);
    }

    [Fact]
    public void Bind_Section_ReadsEverySetting()
    {
        var options = Bind(new Dictionary<string, string?>
        {
            ["McpCompat:SessionIdleTimeout"] = "00:05:00",
            ["McpCompat:MaxIdleSessions"] = "42",
            ["McpCompat:Mode"] = "fallback",
            ["McpCompat:SweepInterval"] = "00:00:02",
            ["McpCompat:MaxSessions"] = "9",
            ["McpCompat:KeepAliveInterval"] = "infinite",
            ["McpCompat:AllowedHosts:0"] = "mcp.example",
            ["McpCompat:AllowedOrigins:0"] = "https://app.example",
            ["McpCompat:Guard"] = "True",
            ["McpCompat:MaxSessionRecords"] = "500",
            ["McpCompat:MaxSessionRecordBytes"] = "1024",
            ["McpCompat:SessionStoreTimeout"] = "00:00:00.500",
        });

        Assert.Equal(TimeSpan.FromMinutes(5), options.SessionIdleTimeout);
        Assert.Equal(42, options.MaxIdleSessions);
        Assert.Equal(McpCompatMode.Fallback, options.Mode);
        Assert.Equal(TimeSpan.FromSeconds(2), options.SweepInterval);
        Assert.Equal(9, options.MaxSessions);
        Assert.Equal(Timeout.InfiniteTimeSpan, options.KeepAliveInterval);
        Assert.Equal(["mcp.example"], options.AllowedHosts);
        Assert.Equal(["https://app.example"], options.AllowedOrigins);
        Assert.True(options.Guard);
        Assert.Equal(500, options.MaxSessionRecords);
        Assert.Equal(1024, options.MaxSessionRecordBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.SessionStoreTimeout);
    }

    [Theory]
    [InlineData("3", 3.0)]
    [InlineData("1.5", 1.5)]
    [InlineData(" 0.25 ", 0.25)]
    [InlineData("1e2", 100.0)]
    public void Bind_EnvironmentAlias_Seconds(string raw, double seconds)
    {
        var options = Bind(new Dictionary<string, string?> { ["MCP_SESSION_IDLE_TIMEOUT"] = raw });

        Assert.Equal(TimeSpan.FromSeconds(seconds), options.SessionIdleTimeout);
    }

    [Theory]
    [InlineData("MCP_SESSION_IDLE_TIMEOUT", "30s", 30_000.0)]
    [InlineData("MCP_SESSION_IDLE_TIMEOUT", "5m", 300_000.0)]
    [InlineData("McpCompat:SessionIdleTimeout", "30s", 30_000.0)]
    [InlineData("McpCompat:SessionIdleTimeout", "30S", 30_000.0)]
    [InlineData("McpCompat:SessionIdleTimeout", " 5m ", 300_000.0)]
    [InlineData("McpCompat:SessionIdleTimeout", "2h", 7_200_000.0)]
    [InlineData("McpCompat:SessionIdleTimeout", "1.5h", 5_400_000.0)]
    [InlineData("McpCompat:SessionIdleTimeout", "1d", 86_400_000.0)]
    [InlineData("McpCompat:SessionIdleTimeout", "250ms", 250.0)]
    [InlineData("McpCompat:SessionIdleTimeout", "00:00:30", 30_000.0)]
    public void Bind_DurationWithUnit_ReadInThatUnit(string key, string raw, double milliseconds)
    {
        var options = Bind(new Dictionary<string, string?> { [key] = raw });

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), options.SessionIdleTimeout);
    }

    [Theory]
    [InlineData("1d", 1.0)]
    [InlineData("0", 0.0)]
    [InlineData("0s", 0.0)]
    public void Bind_ResumeWindowWithUnitOrZero_Read(string raw, double days)
    {
        using var host = BuildHost(new Dictionary<string, string?> { ["McpCompat:SessionResumeWindow"] = raw }, extra: mcp => mcp.Services.AddDistributedMemoryCache());
        var options = host.Services.GetRequiredService<IOptions<McpCompatOptions>>().Value;

        Assert.Equal(TimeSpan.FromDays(days), options.SessionResumeWindow);
    }

    [Fact]
    public async Task Start_BareNumberInSection_RefusedNamingKeyValueAndBothReadings()
    {
        var ex = await StartExpectingFailureAsync(new Dictionary<string, string?> { ["McpCompat:SessionIdleTimeout"] = "30" });

        Assert.Equal(
            "McpCompat:SessionIdleTimeout = '30' is invalid: a number without a unit reads two ways: as a .NET time span '30' is " +
            "30.00:00:00, while MCP_SESSION_IDLE_TIMEOUT reads it as 30 seconds (00:00:30); write 30s for seconds or 30d for days " +
            "(m and h for minutes and hours), or a time span such as 00:00:30.",
            Assert.Single(ex.Failures));
    }

    [Theory]
    [InlineData("McpCompat:KeepAliveInterval", "15")]
    [InlineData("McpCompat:SweepInterval", "1")]
    [InlineData("McpCompat:MaxStreamAge", "300")]
    [InlineData("McpCompat:SessionStoreTimeout", "2.5")]
    [InlineData("McpCompat:SessionResumeWindow", "86400")]
    public async Task Start_BareNumberInAnyTimeSetting_Refused(string key, string value)
    {
        var ex = await StartExpectingFailureAsync(new Dictionary<string, string?> { [key] = value });

        var failure = Assert.Single(ex.Failures);
        Assert.StartsWith($"{key} = '{value}' is invalid: a number without a unit reads two ways", failure, StringComparison.Ordinal);
        Assert.Contains($"reads it as {value} seconds", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_InfiniteWord_DisablesTimeout()
    {
        Assert.Equal(Timeout.InfiniteTimeSpan, Bind(new Dictionary<string, string?> { ["MCP_SESSION_IDLE_TIMEOUT"] = "infinite" }).SessionIdleTimeout);
        Assert.Equal(Timeout.InfiniteTimeSpan, Bind(new Dictionary<string, string?> { ["McpCompat:SessionIdleTimeout"] = "Infinite" }).SessionIdleTimeout);
    }

    [Fact]
    public void Precedence_SectionBeatsAlias()
    {
        var options = Bind(new Dictionary<string, string?>
        {
            ["MCP_SESSION_IDLE_TIMEOUT"] = "3",
            ["McpCompat:SessionIdleTimeout"] = "00:00:07",
        });

        Assert.Equal(TimeSpan.FromSeconds(7), options.SessionIdleTimeout);
    }

    [Fact]
    public void Precedence_CodeBeatsSectionAndAlias()
    {
        var options = Bind(
            new Dictionary<string, string?>
            {
                ["MCP_SESSION_IDLE_TIMEOUT"] = "3",
                ["McpCompat:SessionIdleTimeout"] = "00:00:07",
            },
            o => o.SessionIdleTimeout = TimeSpan.FromSeconds(11));

        Assert.Equal(TimeSpan.FromSeconds(11), options.SessionIdleTimeout);
    }

    [Fact]
    public void Precedence_CodeDefaultOnlyWhenUnset()
    {
        var fromAlias = Bind(new Dictionary<string, string?> { ["MCP_SESSION_IDLE_TIMEOUT"] = "3" }, o => o.SessionIdleTimeout ??= TimeSpan.FromMinutes(30));
        var unset = Bind(new Dictionary<string, string?>(), o => o.SessionIdleTimeout ??= TimeSpan.FromMinutes(30));

        Assert.Equal(TimeSpan.FromSeconds(3), fromAlias.SessionIdleTimeout);
        Assert.Equal(TimeSpan.FromMinutes(30), unset.SessionIdleTimeout);
    }

    [Fact]
    public void Bind_ExplicitSection_UsedInsteadOfDefault()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Custom:Mcp:SessionIdleTimeout"] = "00:00:09",
            ["McpCompat:SessionIdleTimeout"] = "00:00:05",
        }).Build();
        var services = new ServiceCollection();
        services.AddMcpServer().AddMcpCompat(configuration.GetSection("Custom:Mcp"));
        using var provider = services.BuildServiceProvider();

        Assert.Equal(TimeSpan.FromSeconds(9), provider.GetRequiredService<IOptions<McpCompatOptions>>().Value.SessionIdleTimeout);
    }

    [Theory]
    [InlineData("MCP_SESSION_IDLE_TIMEOUT", "-5", "greater than zero")]
    [InlineData("MCP_SESSION_IDLE_TIMEOUT", "0", "greater than zero")]
    [InlineData("MCP_SESSION_IDLE_TIMEOUT", "abc", "number of seconds")]
    [InlineData("MCP_SESSION_IDLE_TIMEOUT", "NaN", "number of seconds")]
    [InlineData("MCP_SESSION_IDLE_TIMEOUT", "Infinity", "number of seconds")]
    [InlineData("MCP_SESSION_IDLE_TIMEOUT", "", "number of seconds")]
    [InlineData("MCP_SESSION_IDLE_TIMEOUT", "4294968", "at most")]
    [InlineData("McpCompat:SessionIdleTimeout", "-00:00:05", "greater than zero")]
    [InlineData("McpCompat:SessionIdleTimeout", "00:00:00", "greater than zero")]
    [InlineData("McpCompat:SessionIdleTimeout", "soon", "time span")]
    [InlineData("McpCompat:SessionIdleTimeout", "-5s", "greater than zero")]
    [InlineData("McpCompat:SessionIdleTimeout", "0s", "greater than zero")]
    [InlineData("McpCompat:SessionIdleTimeout", "60d", "at most")]
    [InlineData("McpCompat:SessionIdleTimeout", "99999999999999d", "at most")]
    [InlineData("McpCompat:SessionIdleTimeout", "5 minutes", "a number with a unit such as 30m")]
    [InlineData("MCP_SESSION_IDLE_TIMEOUT", "-5s", "greater than zero")]
    [InlineData("MCP_SESSION_IDLE_TIMEOUT", "5x", "a number with a unit such as 30s")]
    [InlineData("McpCompat:SessionIdleTimeout", "50.00:00:00", "at most")]
    [InlineData("McpCompat:MaxIdleSessions", "0", "at least 1")]
    [InlineData("McpCompat:MaxIdleSessions", "-1", "at least 1")]
    [InlineData("McpCompat:MaxIdleSessions", "many", "whole number")]
    [InlineData("McpCompat:Mode", "Sometimes", "Auto, Native, Fallback")]
    [InlineData("McpCompat:Mode", "1", "Auto, Native, Fallback")]
    [InlineData("McpCompat:MaxSessions", "0", "at least 1")]
    [InlineData("McpCompat:KeepAliveInterval", "-00:00:01", "greater than zero")]
    [InlineData("McpCompat:SweepInterval", "infinite", "time span")]
    [InlineData("McpCompat:SweepInterval", "00:00:00", "greater than zero")]
    [InlineData("McpCompat:Guard", "maybe", "true or false")]
    [InlineData("McpCompat:SessionResumeWindow", "-1.00:00:00", "zero (off) or a positive time span")]
    [InlineData("McpCompat:SessionResumeWindow", "infinite", "time span such as 1.00:00:00")]
    [InlineData("McpCompat:SessionResumeWindow", "a day", "time span such as 1.00:00:00")]
    [InlineData("McpCompat:MaxSessionRecords", "0", "at least 1")]
    [InlineData("McpCompat:MaxSessionRecords", "lots", "whole number")]
    [InlineData("McpCompat:MaxSessionRecordBytes", "100", "at least 256 bytes")]
    [InlineData("McpCompat:MaxSessionRecordBytes", "4k", "whole number of bytes")]
    [InlineData("McpCompat:SessionStoreTimeout", "00:00:00", "greater than zero")]
    [InlineData("McpCompat:SessionStoreTimeout", "infinite", "time span")]
    public async Task Start_InvalidSetting_FailsNamingKeyAndValue(string key, string value, string problem)
    {
        var ex = await StartExpectingFailureAsync(new Dictionary<string, string?> { [key] = value });

        var failure = Assert.Single(ex.Failures);
        Assert.Contains($"{key} = '{value}'", failure, StringComparison.Ordinal);
        Assert.Contains(problem, failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_SeveralInvalidSettings_ReportsEach()
    {
        var ex = await StartExpectingFailureAsync(new Dictionary<string, string?>
        {
            ["MCP_SESSION_IDLE_TIMEOUT"] = "abc",
            ["McpCompat:Mode"] = "Sometimes",
        });

        Assert.Equal(2, ex.Failures.Count());
    }

    [Fact]
    public async Task Start_InvalidValuesInCode_FailNamingProperty()
    {
        var ex = await StartExpectingFailureAsync(new Dictionary<string, string?>(), o =>
        {
            o.SessionIdleTimeout = TimeSpan.FromSeconds(-1);
            o.MaxIdleSessions = 0;
            o.SweepInterval = Timeout.InfiniteTimeSpan;
            o.Mode = (McpCompatMode)42;
        });

        Assert.Contains(ex.Failures, f => f.StartsWith("McpCompatOptions.SessionIdleTimeout = '-00:00:01'", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("McpCompatOptions.MaxIdleSessions = '0'", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("McpCompatOptions.SweepInterval = '-00:00:00.0010000'", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("McpCompatOptions.Mode = '42'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_InvalidValuesInCode_MessagesWordForWord()
    {
        var ex = await StartExpectingFailureAsync(new Dictionary<string, string?> { ["McpCompat:MaxSessionRecords"] = "lots" }, o =>
        {
            o.MaxSessions = 0;
            o.KeepAliveInterval = TimeSpan.Zero;
            o.MaxSessionRecordBytes = 100;
            o.SessionResumeWindow = TimeSpan.FromSeconds(-1);
            o.Mode = (McpCompatMode)42;
        });

        Assert.Equal(
            [
                "McpCompat:MaxSessionRecords = 'lots' is invalid: expected a whole number such as 10000.",
                "McpCompatOptions.MaxSessions = '0' is invalid: it must be at least 1.",
                "McpCompatOptions.KeepAliveInterval = '00:00:00' is invalid: it must be greater than zero (use 'infinite' or Timeout.InfiniteTimeSpan to disable it).",
                "McpCompatOptions.SessionResumeWindow = '-00:00:01' is invalid: it must be zero (off) or a positive time span such as 1.00:00:00; a record that never expires is not offered.",
                "McpCompatOptions.MaxSessionRecordBytes = '100' is invalid: it must be at least 256 bytes, below which no client's record fits.",
                "McpCompatOptions.Mode = '42' is invalid: expected one of Auto, Native, Fallback.",
            ],
            ex.Failures);
    }

    [Fact]
    public async Task Start_ResumeWindowWithoutDistributedCache_FailsNamingSettingAndRemedy()
    {
        var ex = await StartExpectingFailureAsync(new Dictionary<string, string?> { ["McpCompat:SessionResumeWindow"] = "1.00:00:00" });

        var failure = Assert.Single(ex.Failures);
        Assert.StartsWith("McpCompat:SessionResumeWindow = '1.00:00:00' is invalid", failure, StringComparison.Ordinal);
        Assert.Contains("AddDistributedMemoryCache()", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ResumeWindowWithDistributedCache_Starts_NegativeInCodeFails()
    {
        using (var host = BuildHost(new Dictionary<string, string?> { ["McpCompat:SessionResumeWindow"] = "1.00:00:00" }, extra: m => m.Services.AddDistributedMemoryCache()))
        {
            await host.StartAsync();
            Assert.Equal(TimeSpan.FromDays(1), host.Services.GetRequiredService<IOptions<McpCompatOptions>>().Value.SessionResumeWindow);
            await host.StopAsync();
        }

        var ex = await StartExpectingFailureAsync(new Dictionary<string, string?>(), o => o.SessionResumeWindow = TimeSpan.FromSeconds(-1));
        Assert.Contains(ex.Failures, f => f.StartsWith("McpCompatOptions.SessionResumeWindow = '-00:00:01' is invalid", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_InfiniteTimeoutInCode_Accepted()
    {
        using var host = BuildHost(new Dictionary<string, string?>(), o => o.SessionIdleTimeout = Timeout.InfiniteTimeSpan);
        await host.StartAsync();
        await host.StopAsync();
    }

    [Fact]
    public async Task Start_NativeModeWithoutNativeFeature_FailsNamingMode()
    {
        if (McpSdkProbe.Current.Has(McpSdkFeatureKind.NativeIdleTimeout))
        {
            // The SDK under test has the feature: Native must start.
            using var host = BuildHost(new Dictionary<string, string?> { ["McpCompat:Mode"] = "Native" });
            await host.StartAsync();
            await host.StopAsync();
            return;
        }

        var ex = await StartExpectingFailureAsync(new Dictionary<string, string?> { ["McpCompat:Mode"] = "Native" });
        var failure = Assert.Single(ex.Failures);
        Assert.StartsWith("McpCompat:Mode = 'Native' is invalid", failure, StringComparison.Ordinal);
        Assert.Contains("no native idle timeout", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void AddMcpCompat_NullArguments_Throw()
    {
        var builder = new ServiceCollection().AddMcpServer();

        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => McpCompatServerBuilderExtensions.AddMcpCompat(null!)).ParamName);
        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => McpCompatServerBuilderExtensions.AddMcpCompat(null!, _ => { })).ParamName);
        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => McpCompatServerBuilderExtensions.AddMcpCompat(null!, new ConfigurationBuilder().Build().GetSection("x"))).ParamName);
        Assert.Equal("configure", Assert.Throws<ArgumentNullException>(() => builder.AddMcpCompat((Action<McpCompatOptions>)null!)).ParamName);
        Assert.Equal("section", Assert.Throws<ArgumentNullException>(() => builder.AddMcpCompat((IConfigurationSection)null!)).ParamName);
    }

    [Fact]
    public void ServiceProvider_DisposedSynchronously_AfterResolvingEveryMcpCompatService_DoesNotThrow()
    {
        var host = BuildHost(new Dictionary<string, string?>());
        var resolved = host.Services.GetServices<IHostedService>()
            .Concat(new[] { typeof(McpCompatDecision), typeof(McpCompat.Resumption.SessionEndBroadcast), typeof(McpCompat.MapMcp.SdkSessionMigration) }
                .Select(host.Services.GetRequiredService))
            .ToList();
        Assert.Contains(resolved, s => s is McpCompat.Resumption.SessionEndBroadcast);

        // A host or provider disposed synchronously (a using block, a test fixture) disposes every service it made.
        var ex = Record.Exception(host.Dispose);

        Assert.Null(ex);
    }

    [Fact]
    public void AddMcpCompat_Twice_RegistersServicesOnce()
    {
        var services = new ServiceCollection();
        var builder = services.AddMcpServer();

        var returned = builder.AddMcpCompat().AddMcpCompat(o => o.MaxIdleSessions = 5);

        Assert.Same(builder, returned);
        Assert.Single(services, d => d.ImplementationType == typeof(McpCompat.Sessions.SessionSweeperService));
        Assert.Single(services, d => d.ImplementationType == typeof(McpCompat.MapMcp.SessionTrackingStartupFilter));
        using var provider = services.BuildServiceProvider();
        Assert.Equal(5, provider.GetRequiredService<IOptions<McpCompatOptions>>().Value.MaxIdleSessions);
    }
}
