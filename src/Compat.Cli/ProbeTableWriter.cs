using McpCompat.Decision;
using System.Globalization;
namespace McpCompat.Cli;

/// <summary>Writes <see cref="ProbeOutput"/> as the human-readable table.</summary>
internal static class ProbeTableWriter
{
    public static void Write(ProbeOutput output, TextWriter writer)
    {
        var w = new Line(writer);
        w.Write($"McpCompat probe of {output.AssemblyFolder}");
        foreach (var note in output.Notes)
        {
            w.Write($"  note: {note}");
        }

        w.Write($"SDK: {output.Sdk}");
        w.Write(string.Empty);
        w.Write("Assemblies");
        w.Write($"  {"name",-33} {"version",-17} version read from");
        foreach (var assembly in output.Assemblies)
        {
            w.Write($"  {assembly.Name,-33} {assembly.Version ?? "?",-17} {assembly.VersionSource}");
        }

        w.Write(string.Empty);
        w.Write("Features");
        w.Write($"  {"feature",-26} {"found",-8} evidence");
        foreach (var feature in output.Features)
        {
            w.Write($"  {feature.Name,-26} {(feature.Present ? "present" : "absent"),-8} {feature.Evidence}");
        }

        w.Write(string.Empty);
        w.Write("Advisories");
        if (output.Advisories.Count == 0)
        {
            w.Write("  (none)");
        }

        foreach (var advisory in output.Advisories)
        {
            var native = advisory.DisqualifiesNativeIdleTimeout ? " [the SDK's idle timeout is not relied on]" : string.Empty;
            w.Write($"  {advisory.Id}  {advisory.Package} {advisory.AffectedVersions}{native}");
            w.Write($"      {advisory.Summary}");
        }

        w.Write(string.Empty);
        w.Write($"Path McpCompat would take, with {output.OptionsAssumption}");
        foreach (var path in output.Paths)
        {
            w.Write($"  {path.Path,-10} if {path.Assumption}");
            w.Write($"  {string.Empty,-10}   because {path.Reason}");
        }

        w.Write($"  {(output.MapMcpCompat.Available ? McpCompatPath.Hosted.ToName() : "none"),-10} with MapMcpCompat: {output.MapMcpCompat.Reason}");
    }

    private readonly struct Line(TextWriter writer)
    {
        public void Write(FormattableString text) => writer.WriteLine(text.ToString(CultureInfo.InvariantCulture));

        public void Write(string text) => writer.WriteLine(text);
    }
}
