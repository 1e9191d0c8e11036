using System.Xml.Linq;
using NuGet.Versioning;

namespace McpCompat.Probing;

/// <summary>
/// Version ranges of the SDK with known idle-session defects or behaviours. The facts live in
/// <c>KnownDefects.props</c>, embedded in this assembly and packed as <c>buildTransitive/McpCompat.props</c> for
/// <c>buildTransitive/McpCompat.targets</c>,
/// so the probe's advisories and the build-time warnings come from the same table.
/// </summary>
internal static class KnownDefects
{
    internal const string ResourceName = "McpCompat.Probing.KnownDefects.props";

    private const string ItemName = "McpCompatKnownDefect";

    internal enum BuildSeverity
    {
        /// <summary>A defect: the build warns, with the advisory's id as the warning code.</summary>
        Warning,

        /// <summary>A behaviour worth knowing: the build logs a message.</summary>
        Message,
    }

    internal sealed record Defect(
        string Id,
        string Package,
        VersionRange Range,
        string AffectedVersions,
        string Summary,
        bool DisqualifiesNativeIdleTimeout,
        BuildSeverity Severity,
        bool OnlyWhenStateless);

    internal static IReadOnlyList<Defect> All { get; } = Load();

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
                    defect.DisqualifiesNativeIdleTimeout,
                    defect.OnlyWhenStateless);
            }
        }
    }

    private static List<Defect> Load()
    {
        using var stream = typeof(KnownDefects).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing.");
        return Parse(XDocument.Load(stream));
    }

    /// <summary>Reads the MSBuild items file. Malformed data is a build mistake of McpCompat: it throws, naming the item.</summary>
    internal static List<Defect> Parse(XDocument document)
    {
        var defects = new List<Defect>();
        foreach (var item in document.Descendants(ItemName))
        {
            var id = (string?)item.Attribute("Include") ?? throw new InvalidOperationException($"An {ItemName} item has no Include.");
            string Required(string name) =>
                item.Element(name)?.Value.Trim() is { Length: > 0 } value
                    ? value
                    : throw new InvalidOperationException($"{ItemName} {id} has no {name}.");

            var affected = Required("AffectedVersions");
            if (!VersionRange.TryParse(affected, out var range))
            {
                throw new InvalidOperationException($"{ItemName} {id}: AffectedVersions '{affected}' is not a NuGet version range.");
            }

            defects.Add(new Defect(
                id,
                Required("Package"),
                range,
                affected,
                Required("Summary"),
                bool.Parse(Required("DisqualifiesNativeIdleTimeout")),
                Enum.Parse<BuildSeverity>(Required("BuildSeverity"), ignoreCase: false),
                item.Element("OnlyWhenStateless")?.Value.Trim() is { Length: > 0 } only && bool.Parse(only)));
        }

        return defects.Count > 0
            ? defects
            : throw new InvalidOperationException($"No {ItemName} items found.");
    }
}
