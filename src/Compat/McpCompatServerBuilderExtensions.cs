using System.Diagnostics.CodeAnalysis;
using McpCompat.Decision;
using McpCompat.Http;
using McpCompat.MapMcp;
using McpCompat.MapMcpCompat;
using McpCompat.Options;
using McpCompat.Probing;
using McpCompat.Resumption;
using McpCompat.Sessions;
using McpCompat.Streams;
using McpCompat.Telemetry;
using McpCompat;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Adds McpCompat to an MCP server: abandoned Streamable HTTP sessions are reclaimed on any SDK version,
/// by the SDK's own idle timeout where it has one and by McpCompat's sweeper where it does not.
/// </summary>
[RequiresUnreferencedCode(TrimmingMessages.FindsSdkMembers)]
[RequiresDynamicCode(TrimmingMessages.BuildsCodeForSdkTypes)]
public static class McpCompatServerBuilderExtensions
{
    /// <summary>
    /// Adds McpCompat with settings from the configuration section <c>McpCompat</c> and the
    /// <c>MCP_SESSION_IDLE_TIMEOUT</c> environment alias.
    /// </summary>
    /// <param name="builder">The MCP server builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IMcpServerBuilder AddMcpCompat(this IMcpServerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return AddCore(builder, configure: null, section: null);
    }

    /// <summary>
    /// Adds McpCompat; <paramref name="configure"/> runs after configuration binding, so values set in code win.
    /// </summary>
    /// <param name="builder">The MCP server builder.</param>
    /// <param name="configure">Sets options in code.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IMcpServerBuilder AddMcpCompat(this IMcpServerBuilder builder, Action<McpCompatOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore(builder, configure, section: null);
    }

    /// <summary>
    /// Adds McpCompat with settings bound from <paramref name="section"/> instead of the section <c>McpCompat</c>.
    /// </summary>
    /// <param name="builder">The MCP server builder.</param>
    /// <param name="section">The configuration section holding McpCompat's settings.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IMcpServerBuilder AddMcpCompat(this IMcpServerBuilder builder, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        return AddCore(builder, configure: null, section);
    }

    private static IMcpServerBuilder AddCore(IMcpServerBuilder builder, Action<McpCompatOptions>? configure, IConfigurationSection? section)
    {
        var services = builder.Services;
        McpCompatKernelServices.Add(services, section);
        if (!services.Any(d => d.ServiceType == typeof(McpCompatMarker)))
        {
            services.AddSingleton<McpCompatMarker>();
            AddServices(services);
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        return builder;
    }

    private static void AddServices(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpCompatOptions>, McpCompatPrerequisitesValidator>());

        services.TryAddSingleton(sp => new HttpTransportOptionsAccessor(sp.GetRequiredService<McpSdkReport>().Members));
        services.TryAddSingleton<NativeOptionsApplier>();
        services.TryAddSingleton<McpCompatRuntime>();
        services.TryAddSingleton(sp => sp.GetRequiredService<McpCompatRuntime>().Decision);
        services.TryAddSingleton<ISweeperDemand>(sp => sp.GetRequiredService<McpCompatRuntime>());

        // The SDK's options type is only known by reflection: close the post-configure step over it once, here.
        if (McpCompatKernelServices.Report(services).Members.HttpServerTransportOptionsType is { } sdkOptionsType)
        {
            services.AddSingleton(
                typeof(IPostConfigureOptions<>).MakeGenericType(sdkOptionsType),
                typeof(NativeOptionsConfigurer<>).MakeGenericType(sdkOptionsType));
        }

        services.TryAddSingleton<IMetricsSource, SessionMetricsSource>();
        services.TryAddSingleton<SdkEndpoints>();
        services.TryAddSingleton<SdkDeleteEndpoint>();
        services.TryAddSingleton<DeleteEndpointEvictor>();
        services.TryAddSingleton<HostedSessionStore>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISessionHost, HostedSessionStore>(sp => sp.GetRequiredService<HostedSessionStore>()));
        services.TryAddSingleton(sp => CoreTransportApi.Create(sp.GetRequiredService<McpSdkReport>()));
        services.TryAddSingleton<SdkSessionMigration>();
        services.TryAddSingleton<SdkSessionDeletion>();
        services.TryAddSingleton<SdkSessionEnder>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISessionHost, SdkSessionEnder>(sp => sp.GetRequiredService<SdkSessionEnder>()));
        services.TryAddSingleton<SdkSessionTable>();
        services.TryAddSingleton<EndedSessionCalls>();
        services.TryAddSingleton<PendingMigrations>();
        services.TryAddSingleton<SessionEndBroadcast>();
        services.AddHostedService(sp => sp.GetRequiredService<SessionEndBroadcast>());
        AddHostedEndpoint(services);
        services.AddHostedService<HostedSessionShutdownService>();
        services.AddHostedService<SessionSweeperService>();
        services.AddHostedService<DecisionLogService>();
        services.AddTransient<IStartupFilter, SessionTrackingStartupFilter>();
        services.TryAddSingleton<SdkEndpointGuard>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, SdkEndpointPolicy>());
    }

    /// <summary>
    /// <c>MapMcpCompat</c>'s endpoint and what serves it, one service each. Its refusals and logs go under the endpoint's
    /// category, as they always have (the guard in front of the SDK's endpoint writes its own).
    /// </summary>
    private static void AddHostedEndpoint(IServiceCollection services)
    {
        services.TryAddSingleton(sp => new RefusalWriter(sp.GetRequiredService<ILogger<McpCompatEndpoint>>()));
        services.TryAddSingleton(sp => new RequestBodyReader(sp.GetRequiredService<RefusalWriter>(), sp.GetRequiredService<ILogger<McpCompatEndpoint>>()));
        services.TryAddSingleton<RequestValidator>();
        services.TryAddSingleton<PostedMessageReader>();
        services.TryAddSingleton<SessionAdmission>();
        services.TryAddSingleton<HostedEventStreams>();
        services.TryAddSingleton<SessionServerBuilder>();
        services.TryAddSingleton<HostedSessionFactory>();
        services.TryAddSingleton<HostedSessionRecords>();
        services.TryAddSingleton<HandshakeReplay>();
        services.TryAddSingleton<SessionRebuilder>();
        services.TryAddSingleton<HostedSessionResumer>();
        services.TryAddSingleton<HostedSessionLookup>();
        services.TryAddSingleton<SessionlessPostHandler>();
        services.TryAddSingleton<InitializePostHandler>();
        services.TryAddSingleton<SessionPostHandler>();
        services.TryAddSingleton<PostRequestHandler>();
        services.TryAddSingleton<GetRequestHandler>();
        services.TryAddSingleton<ResumableSessionDeletion>();
        services.TryAddSingleton<DeleteRequestHandler>();
        services.TryAddSingleton<McpCompatEndpoint>();
    }

    private sealed class McpCompatMarker;
}
