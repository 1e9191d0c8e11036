using McpCompat.MapMcpCompat;
using McpCompat.Probing;

namespace McpCompat.Cli;

/// <summary>
/// What <c>mcpcompat probe</c> prints, as plain data (nothing from the target's load context survives in it).
/// The JSON property names are part of the tool's contract: rename none.
/// </summary>
internal sealed record ProbeOutput(
    string Target,
    string AssemblyFolder,
    string? Project,
    IReadOnlyList<string> Notes,
    string Sdk,
    IReadOnlyList<ProbeOutput.AssemblyRow> Assemblies,
    IReadOnlyList<ProbeOutput.FeatureRow> Features,
    IReadOnlyList<ProbeOutput.AdvisoryRow> Advisories,
    string OptionsAssumption,
    IReadOnlyList<ProbeOutput.PathRow> Paths,
    ProbeOutput.HostedRow MapMcpCompat)
{
    /// <summary>The options the decision assumes: McpCompat's defaults.</summary>
    public const string DefaultOptions = "default McpCompatOptions (Mode Auto, MaxIdleSessions unset)";

    /// <summary>Builds the output from a report; <paramref name="files"/> maps an assembly name to its file.</summary>
    public static ProbeOutput From(ProbeTarget target, McpSdkReport report, IReadOnlyDictionary<string, string> files, IEnumerable<string> problems)
    {
        var options = new McpCompatOptions();
        var paths = new List<PathRow>();
        var stateful = McpCompatDecision.Decide(report, options, sdkIsStateless: false);
        paths.Add(new PathRow(
            "stateful",
            "the server keeps sessions (Stateless = false, or SessionMode = Stateful where the SDK has it)",
            stateful.PathName,
            stateful.Reason));

        // Whether the SDK is stateless when left alone is a fact of the advisory table, not a guess.
        var statelessByDefault = report.Advisories.FirstOrDefault(a => a.OnlyWhenStateless);
        if (report.Has(McpSdkFeatureKind.AspNetCoreHosting) && statelessByDefault is not null)
        {
            var left = McpCompatDecision.Decide(report, options, sdkIsStateless: true);
            paths.Add(new PathRow(
                "sdk-default",
                $"the server leaves the session mode at the SDK's default: stateless in {statelessByDefault.Package} {statelessByDefault.AffectedVersions} ({statelessByDefault.Id})",
                left.PathName,
                left.Reason));
        }

        // The same check MapMcpCompat makes before it compiles anything.
        var (shape, reason) = CoreTransportApi.Check(report);
        var hosted = shape is { } found
            ? new HostedRow(true, found.ToName(), $"hosts Streamable HTTP over the SDK's transport ({found.ToName()} API shape); McpCompat's sweeper expires those sessions")
            : new HostedRow(false, null, reason);

        return new ProbeOutput(
            target.Given,
            target.AssemblyFolder,
            target.Project,
            [.. target.Notes, .. problems],
            report.SdkDescription,
            [.. report.Assemblies.Select(a => new AssemblyRow(a.Name, a.Version, a.VersionSource, files.GetValueOrDefault(a.Name)))],
            [.. report.Features.Select(f => new FeatureRow(f.Kind.ToString(), f.IsPresent, f.Evidence))],
            [.. report.Advisories.Select(a => new AdvisoryRow(a.Id, a.Package, a.AffectedVersions, a.Summary, a.DisqualifiesNativeIdleTimeout))],
            DefaultOptions,
            paths,
            hosted);
    }

    /// <summary>One SDK assembly.</summary>
    internal sealed record AssemblyRow(string Name, string? Version, string VersionSource, string? File);

    /// <summary>One capability, present or absent, with evidence.</summary>
    internal sealed record FeatureRow(string Name, bool Present, string Evidence);

    /// <summary>One known-defect advisory whose range holds an installed version.</summary>
    internal sealed record AdvisoryRow(string Id, string Package, string AffectedVersions, string Summary, bool DisqualifiesNativeIdleTimeout);

    /// <summary>The path McpCompat would take under one assumption about the server.</summary>
    internal sealed record PathRow(string Case, string Assumption, string Path, string Reason);

    /// <summary>Whether <c>MapMcpCompat</c> could host Streamable HTTP over this SDK's transport.</summary>
    internal sealed record HostedRow(bool Available, string? ApiShape, string Reason);
}
