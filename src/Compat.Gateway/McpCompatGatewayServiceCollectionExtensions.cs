using System.Diagnostics.CodeAnalysis;
using McpCompat;
using McpCompat.Decision;
using McpCompat.Gateway;
using McpCompat.Http;
using McpCompat.Resumption;
using McpCompat.Sessions;
using McpCompat.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Adds McpCompat Gateway: a session-aware reverse proxy for Streamable HTTP MCP servers of any language, with
/// McpCompat's settings (the section <c>McpCompat</c>), metrics and logs. Map it with
/// <c>app.MapMcpCompatGateway("/mcp", upstreams)</c>.
/// </summary>
[RequiresUnreferencedCode(TrimmingMessages.FindsSdkMembers)]
[RequiresDynamicCode(TrimmingMessages.BuildsCodeForSdkTypes)]
public static class McpCompatGatewayServiceCollectionExtensions
{
    /// <summary>Adds the gateway with settings from the configuration section <c>McpCompat</c> and the <c>MCP_SESSION_IDLE_TIMEOUT</c> alias.</summary>
    /// <param name="services">The application's services.</param>
    /// <returns>The same services, for chaining.</returns>
    public static IServiceCollection AddMcpCompatGateway(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return AddCore(services, configure: null, section: null);
    }

    /// <summary>Adds the gateway; <paramref name="configure"/> runs after configuration binding, so values set in code win.</summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Sets options in code.</param>
    /// <returns>The same services, for chaining.</returns>
    public static IServiceCollection AddMcpCompatGateway(this IServiceCollection services, Action<McpCompatOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore(services, configure, section: null);
    }

    /// <summary>Adds the gateway with settings bound from <paramref name="section"/> instead of the section <c>McpCompat</c>.</summary>
    /// <param name="services">The application's services.</param>
    /// <param name="section">The configuration section holding the settings.</param>
    /// <returns>The same services, for chaining.</returns>
    public static IServiceCollection AddMcpCompatGateway(this IServiceCollection services, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        return AddCore(services, configure: null, section);
    }

    private static IServiceCollection AddCore(IServiceCollection services, Action<McpCompatOptions>? configure, IConfigurationSection? section)
    {
        McpCompatKernelServices.Add(services, section);
        if (!services.Any(d => d.ServiceType == typeof(GatewayMarker)))
        {
            services.AddSingleton<GatewayMarker>();

            // SessionResumeWindow set without a cache to keep records in stops the host at start, naming the setting.
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpCompatOptions>, McpCompatPrerequisitesValidator>());
            services.AddHttpForwarder();
            services.TryAddSingleton<IMetricsSource, GatewayMetricsSource>();
            services.TryAddSingleton<ISweeperDemand, GatewaySweeperDemand>();
            services.TryAddSingleton<GatewayHttpClient>();
            services.TryAddSingleton<GatewayRecords>();
            services.TryAddSingleton<GatewaySessions>();
            services.TryAddSingleton<GatewayResumer>();
            services.TryAddSingleton<GatewaySessionLookup>();
            services.TryAddSingleton<GatewaySessionHeaders>();
            services.AddOptions<McpCompatGatewayOptions>().ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpCompatGatewayOptions>, GatewayOptionsValidator>());

            // A client's DELETE told to the other gateways of a fleet (where an IMcpSessionEndChannel is registered, as
            // AddMcpCompatRedis does), which end their copies; and the start-up line on resumable sessions.
            services.TryAddEnumerable(ServiceDescriptor.Singleton<ISessionHost, GatewaySessions>(sp => sp.GetRequiredService<GatewaySessions>()));
            services.TryAddSingleton<SessionEndBroadcast>();
            services.AddHostedService(sp => sp.GetRequiredService<SessionEndBroadcast>());
            services.TryAddSingleton<GatewayRoutes>();
            services.TryAddSingleton(sp => new RefusalWriter(sp.GetRequiredService<ILogger<GatewayEndpoint>>()));
            services.TryAddSingleton(sp => new RequestBodyReader(sp.GetRequiredService<RefusalWriter>(), sp.GetRequiredService<ILogger<GatewayEndpoint>>()));
            services.TryAddSingleton<RequestValidator>();
            services.TryAddSingleton<GatewayForwarder>();
            services.TryAddSingleton<GatewayRebuilder>();
            services.TryAddSingleton<GatewayReport>();
            services.TryAddSingleton<GatewayEndpoint>();
            services.AddHostedService<SessionSweeperService>();
            services.AddHostedService<GatewayStartupLog>();
            services.TryAddSingleton<GatewayUpstreamProbe>();
            services.AddHostedService(sp => sp.GetRequiredService<GatewayUpstreamProbe>());
        }

        // The gateway's own options, from McpCompat:Gateway (or the given section's Gateway).
        services.AddSingleton<IConfigureOptions<McpCompatGatewayOptions>>(sp => new GatewayOptionsSetup(
            section ?? sp.GetService<IConfiguration>()?.GetSection(McpCompatOptions.SectionName), McpCompatGatewayOptions.SectionName));
        if (configure is not null)
        {
            services.Configure(configure);
        }

        return services;
    }

    private sealed class GatewayMarker;
}
