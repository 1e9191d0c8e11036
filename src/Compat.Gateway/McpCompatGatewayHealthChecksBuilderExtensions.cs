using McpCompat.Gateway;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers McpCompat Gateway's health check.</summary>
public static class McpCompatGatewayHealthChecksBuilderExtensions
{
    /// <summary>The default name of the gateway's health check: <c>mcpcompat-gateway</c>.</summary>
    public const string DefaultName = "mcpcompat-gateway";

    /// <summary>
    /// Adds a health check that reports <paramref name="failureStatus"/> (by default <see cref="HealthStatus.Degraded"/>)
    /// when the gateway's sessions reach 90% of <c>McpCompat:MaxSessions</c>, its sweeper has stopped, its store of
    /// records fails, or an upstream could not be reached; its data has, per upstream, what the gateway learned of it on
    /// the wire (<c>serverInfo</c>, revisions, whether it ends sessions itself and honours <c>DELETE</c>). Requires
    /// <c>AddMcpCompatGateway()</c>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The name of the check.</param>
    /// <param name="failureStatus">The status reported on a problem; <see cref="HealthStatus.Degraded"/> when <see langword="null"/>.</param>
    /// <param name="tags">Tags for filtering checks.</param>
    /// <returns>The same builder.</returns>
    public static IHealthChecksBuilder AddMcpCompatGateway(
        this IHealthChecksBuilder builder,
        string name = DefaultName,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        builder.Services.TryAddSingleton<GatewayHealthCheck>();
        return builder.Add(new HealthCheckRegistration(
            name,
            static sp => sp.GetRequiredService<GatewayHealthCheck>(),
            failureStatus ?? HealthStatus.Degraded,
            tags));
    }
}
