using McpCompat.Probing;

namespace McpCompat.Cli;

/// <summary>
/// Where the assemblies to probe are: a folder of assemblies given directly, or the build output of a project
/// found under its <c>bin/</c> folder (the most recently built output that holds an SDK assembly).
/// </summary>
internal sealed record ProbeTarget(string Given, string AssemblyFolder, string? Project, IReadOnlyList<string> Notes)
{
    /// <summary>The SDK's assembly files, one per package, in the order the probe reports them.</summary>
    public static readonly string[] SdkAssemblyNames = SdkProbe.SdkAssemblyNames;

    private static readonly string[] ProjectPatterns = ["*.csproj", "*.fsproj", "*.vbproj"];

    /// <summary>Finds the folder to probe; <see langword="null"/> with the reason when there is none.</summary>
    public static ProbeTarget? Locate(string path, out string? error)
    {
        error = null;
        var full = Path.GetFullPath(path);
        string? projectFile = null;
        string folder;
        if (File.Exists(full) && ProjectPatterns.Any(p => full.EndsWith(p[1..], StringComparison.OrdinalIgnoreCase)))
        {
            projectFile = full;
            folder = Path.GetDirectoryName(full)!;
        }
        else if (Directory.Exists(full))
        {
            folder = full;
            projectFile = ProjectPatterns.SelectMany(p => Directory.EnumerateFiles(full, p)).Order(StringComparer.Ordinal).FirstOrDefault();
        }
        else
        {
            error = $"'{path}' is neither a folder nor a project file.";
            return null;
        }

        if (HasSdkAssembly(folder))
        {
            return new ProbeTarget(path, folder, null, []);
        }

        if (projectFile is null)
        {
            error = $"no MCP C# SDK assembly ({string.Join(", ", SdkAssemblyNames.Select(n => n + ".dll"))}) in '{folder}', and no project file there.";
            return null;
        }

        var bin = Path.Combine(folder, "bin");
        var outputs = Directory.Exists(bin)
            ? Directory.EnumerateDirectories(bin, "*", SearchOption.AllDirectories).Where(HasSdkAssembly).ToList()
            : [];
        if (outputs.Count == 0)
        {
            error = $"no build output with an MCP C# SDK assembly under '{bin}': build the project first (dotnet build), or pass its output folder.";
            return null;
        }

        var ordered = outputs.OrderByDescending(LastBuilt).ThenBy(o => o, StringComparer.Ordinal).ToList();
        var notes = new List<string> { $"project {projectFile}: probing its most recent build output" };
        notes.AddRange(ordered.Skip(1).Select(o => $"also built, not probed: {o}"));
        return new ProbeTarget(path, ordered[0], projectFile, notes);
    }

    private static bool HasSdkAssembly(string folder) =>
        SdkAssemblyNames.Any(n => File.Exists(Path.Combine(folder, n + ".dll")));

    private static DateTime LastBuilt(string folder) =>
        Directory.EnumerateFiles(folder, "*.dll").Select(File.GetLastWriteTimeUtc).DefaultIfEmpty(DateTime.MinValue).Max();
}
