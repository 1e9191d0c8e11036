using NuGet.Versioning;

namespace McpCompat.Probing;

/// <summary>
/// Version ranges of the SDK with known idle-session defects or behaviours: the one source of these facts.
/// </summary>
internal static class KnownDefects
{
    internal const string AspNetCorePackage = "ModelContextProtocol.AspNetCore";

    internal sealed record Defect(string Id, string Package, VersionRange Range, string Summary, bool DisqualifiesNativeIdleTimeout);

    internal static IReadOnlyList<Defect> All { get; } =
    [
        new(
            "MCPCOMPAT001",
            AspNetCorePackage,
            VersionRange.Parse("[0.1.0-preview.10, 0.6.0-preview.1)"),
            "IdleTimeout is compared in Stopwatch ticks as if they were TimeSpan ticks: on Linux and macOS sessions expire after 1/100 of the setting. McpCompat does not rely on it: its own sweeper takes over.",
            DisqualifiesNativeIdleTimeout: true),
        new(
            "MCPCOMPAT002",
            AspNetCorePackage,
            VersionRange.Parse("[0.1.0-preview.10, 1.4.1)"),
            "Each session pins its SSE response stream (about 20 MiB) until it ends: a short idle timeout matters more. Fixed in 1.4.1.",
            DisqualifiesNativeIdleTimeout: false),
        new(
            "MCPCOMPAT003",
            AspNetCorePackage,
            VersionRange.Parse("[2.0.0, )"),
            "Streamable HTTP is stateless by default: there are no sessions to expire unless the server opts into stateful sessions.",
            DisqualifiesNativeIdleTimeout: false),
    ];

    internal static IEnumerable<McpSdkAdvisory> For(string package, NuGetVersion? version)
    {
        if (version is null)
        {
            yield break;
        }

        foreach (var defect in All)
        {
            if (string.Equals(defect.Package, package, StringComparison.Ordinal) && defect.Range.Satisfies(version))
            {
                yield return new McpSdkAdvisory(
                    defect.Id,
                    defect.Package,
                    defect.Range.ToNormalizedString(),
                    defect.Summary,
                    defect.DisqualifiesNativeIdleTimeout);
            }
        }
    }
}
