using System.Globalization;
using System.Text;
using McpCompat.Probing;

namespace McpCompat;

/// <summary>
/// What the probe found of the MCP C# SDK in the running application: assemblies and versions,
/// capabilities with their evidence, and advisories for known defects. Immutable.
/// </summary>
public sealed class McpSdkReport
{
    private readonly Dictionary<McpSdkFeatureKind, McpSdkFeature> _features;

    internal McpSdkReport(
        IReadOnlyList<McpSdkAssemblyInfo> assemblies,
        IReadOnlyList<McpSdkFeature> features,
        IReadOnlyList<McpSdkAdvisory> advisories,
        ProbedMembers members)
    {
        Assemblies = assemblies;
        Features = features;
        Advisories = advisories;
        Members = members;
        _features = features.ToDictionary(f => f.Kind);
    }

    /// <summary>Gets the SDK assemblies found, with their package versions.</summary>
    public IReadOnlyList<McpSdkAssemblyInfo> Assemblies { get; }

    /// <summary>Gets every capability looked for, present or absent, with evidence.</summary>
    public IReadOnlyList<McpSdkFeature> Features { get; }

    /// <summary>Gets the advisories whose version range contains an installed SDK package.</summary>
    public IReadOnlyList<McpSdkAdvisory> Advisories { get; }

    internal ProbedMembers Members { get; }

    /// <summary>Gets the result for one capability.</summary>
    /// <param name="kind">The capability.</param>
    /// <returns>The capability's result; absent with a reason when it was not looked for.</returns>
    internal McpSdkFeature GetFeature(McpSdkFeatureKind kind) =>
        _features.TryGetValue(kind, out var feature) ? feature : new McpSdkFeature(kind, false, "not probed");

    /// <summary>Gets a value indicating whether a capability was found.</summary>
    /// <param name="kind">The capability.</param>
    /// <returns><see langword="true"/> when present.</returns>
    internal bool Has(McpSdkFeatureKind kind) => GetFeature(kind).IsPresent;

    /// <summary>Gets an SDK assembly by name, or <see langword="null"/> when it is not in the application.</summary>
    /// <param name="name">The assembly name, for example <c>ModelContextProtocol.Core</c>.</param>
    /// <returns>The assembly information, or <see langword="null"/>.</returns>
    public McpSdkAssemblyInfo? GetAssembly(string name) =>
        Assemblies.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Gets a one-line description of the SDK: the most specific package found and its version.</summary>
    public string SdkDescription
    {
        get
        {
            var main = GetAssembly(SdkProbe.AspNetCoreAssembly) ?? GetAssembly(SdkProbe.MainAssembly) ?? GetAssembly(SdkProbe.CoreAssembly);
            return main is null ? "no MCP C# SDK assembly" : main.ToString();
        }
    }

    /// <summary>Formats the whole report as a human-readable table.</summary>
    /// <returns>The report, one line per assembly, capability and advisory.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine("MCP C# SDK probe");
        text.AppendLine("  assemblies:");
        if (Assemblies.Count == 0)
        {
            text.AppendLine("    (none found)");
        }

        foreach (var assembly in Assemblies)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    {assembly.Name,-34} {assembly.Version ?? "?"}");
        }

        text.AppendLine("  features:");
        foreach (var feature in Features)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    {feature.Kind,-26} {(feature.IsPresent ? "present" : "absent "),-8} {feature.Evidence}");
        }

        text.AppendLine("  advisories:");
        if (Advisories.Count == 0)
        {
            text.AppendLine("    (none)");
        }

        foreach (var advisory in Advisories)
        {
            // The probe cannot know whether the server keeps sessions: an advisory only for stateless servers says so.
            var scope = advisory.OnlyWhenStateless ? " [in effect only for a server that runs stateless; a server with sessions can ignore it]" : string.Empty;
            text.AppendLine(CultureInfo.InvariantCulture, $"    {advisory.Id} {advisory.Package} {advisory.AffectedVersions}: {advisory.Summary}{scope}");
        }

        return text.ToString();
    }
}
