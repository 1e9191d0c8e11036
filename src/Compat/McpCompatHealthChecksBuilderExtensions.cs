using McpCompat.Health;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers McpCompat's health check.</summary>
public static class McpCompatHealthChecksBuilderExtensions
{
    /// <summary>The default name of McpCompat's health check: <c>mcpcompat</c>.</summary>
    public const string DefaultName = "mcpcompat";

    /// <summary>
    /// Adds a health check that reports <paramref name="failureStatus"/> (by default <see cref="HealthStatus.Degraded"/>)
    /// when McpCompat's tracked sessions reach 90% of <c>McpCompat:MaxSessions</c> or its sweeper has stopped, with the
    /// probe summary, the path taken and the session counts as data. Requires <c>AddMcpCompat()</c>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The name of the check.</param>
    /// <param name="failureStatus">The status reported on a problem; <see cref="HealthStatus.Degraded"/> when <see langword="null"/>.</param>
    /// <param name="tags">Tags for filtering checks.</param>
    /// <returns>The same builder.</returns>
    public static IHealthChecksBuilder AddMcpCompat(
        this IHealthChecksBuilder builder,
        string name = DefaultName,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        builder.Services.TryAddSingleton<McpCompatHealthCheck>();
        return builder.Add(new HealthCheckRegistration(
            name,
            static sp => sp.GetRequiredService<McpCompatHealthCheck>(),
            failureStatus ?? HealthStatus.Degraded,
            tags));
    }
}
