using System.Diagnostics.CodeAnalysis;
using McpCompat.Http;
using McpCompat.Options;
using McpCompat.Probing;
using McpCompat.Resumption;
using McpCompat.Sessions;
using McpCompat.Streams;
using McpCompat.Telemetry;
using McpCompat;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The services every host of McpCompat's sessions is built from (the SDK's <c>MapMcp</c>, <c>MapMcpCompat</c>, the
/// gateway): the clock, the probe's report, the settings with their binding and validation, the metrics, the tracker
/// and its sweeper, keep-alives, and the records of resumable sessions. Each host adds what is its own, and the hosted
/// services in the order they must start and stop.
/// </summary>
[RequiresUnreferencedCode(TrimmingMessages.FindsSdkMembers)]
[RequiresDynamicCode(TrimmingMessages.BuildsCodeForSdkTypes)]
internal static class McpCompatKernelServices
{
    /// <summary>
    /// Adds the kernels once, with settings from <paramref name="section"/> (or the section <c>McpCompat</c>) and the
    /// environment alias; a later call with another section adds that section's binding only.
    /// </summary>
    public static void Add(IServiceCollection services, IConfigurationSection? section)
    {
        if (services.Any(d => d.ServiceType == typeof(KernelMarker)))
        {
            if (section is not null)
            {
                services.AddSingleton<IConfigureOptions<McpCompatOptions>>(sp => new McpCompatConfigurationBinder(configuration: null, section, section.Path));
            }

            return;
        }

        services.AddSingleton<KernelMarker>();
        services.TryAddSingleton(TimeProvider.System);

        // The probe report is a service: one registered before McpCompat (a made-up SDK in a test) is used throughout.
        var report = services.LastOrDefault(d => d.ServiceType == typeof(McpSdkReport))?.ImplementationInstance as McpSdkReport
            ?? McpSdkProbe.Current;
        services.TryAddSingleton(report);

        services.AddOptions<McpCompatOptions>().ValidateOnStart();
        services.AddSingleton<IConfigureOptions<McpCompatOptions>>(sp =>
        {
            var configuration = sp.GetService<IConfiguration>();
            var source = (IConfiguration?)section ?? configuration?.GetSection(McpCompatOptions.SectionName);
            return new McpCompatConfigurationBinder(configuration, source, section?.Path ?? McpCompatOptions.SectionName);
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpCompatOptions>, McpCompatBindingValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpCompatOptions>, McpCompatOptionsValidator>());

        services.AddMetrics();
        services.TryAddSingleton<McpCompatMetrics>();
        services.TryAddSingleton<SessionTracker>();
        services.TryAddSingleton<EvictionReport>();
        services.TryAddSingleton<SessionSweeper>();
        services.TryAddSingleton<KeepAliveScheduler>();
        services.TryAddSingleton<EventStreamKeeper>();
        services.TryAddSingleton(sp => ProtocolRevisions.From(sp.GetRequiredService<McpSdkReport>()));
        services.TryAddSingleton<SessionResumption>();
    }

    /// <summary>Gets the probe's report the kernels were given (after <see cref="Add"/>).</summary>
    public static McpSdkReport Report(IServiceCollection services) =>
        services.First(d => d.ServiceType == typeof(McpSdkReport)).ImplementationInstance as McpSdkReport ?? McpSdkProbe.Current;

    private sealed class KernelMarker;
}
