using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace McpCompat.Probing;

/// <summary>
/// Finds the MCP C# SDK in the running application by reflection: assemblies, versions, capabilities
/// (with evidence) and known-defect advisories. Members are looked for, never inferred from version numbers.
/// </summary>
[RequiresUnreferencedCode(TrimmingMessages.FindsSdkMembers)]
internal static class McpSdkProbe
{
    private static readonly Lazy<McpSdkReport> CurrentReport = new(() => SdkProbe.Inspect(SdkProbe.LoadSdkAssemblies()));

    /// <summary>
    /// Gets the report for the SDK loaded in this process. The probe runs once, on first use, and never throws.
    /// </summary>
    public static McpSdkReport Current => CurrentReport.Value;

    /// <summary>
    /// Inspects the given assemblies as if they were the application's SDK. Never throws: a member that is
    /// missing, of the wrong type or that fails to load makes its capability absent, with the reason as evidence.
    /// </summary>
    /// <param name="assemblies">Candidate SDK assemblies; others are ignored.</param>
    /// <returns>The report.</returns>
    public static McpSdkReport Inspect(IEnumerable<Assembly> assemblies)
    {
        ArgumentNullException.ThrowIfNull(assemblies);
        return SdkProbe.Inspect(assemblies);
    }
}
