using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace McpCompat.Cli;

/// <summary>
/// A collectible load context for the target's assemblies, so the target's SDK never mixes with the copy this tool
/// itself references. An assembly is taken from the target folder when it is there, except the shared framework's,
/// which come from the tool's own runtime (the MCP SDK's public types use them). Anything else falls back to the
/// tool's own context.
/// </summary>
internal sealed class IsolatedSdkLoadContext : AssemblyLoadContext
{
    private static readonly Lazy<HashSet<string>> FrameworkAssemblies = new(ReadFrameworkAssemblies);

    private readonly string _folder;

    public IsolatedSdkLoadContext(string folder)
        : base("McpCompat probe target", isCollectible: true)
    {
        _folder = folder;
    }

    /// <summary>Loads the SDK's assemblies found in the folder, with the file each came from.</summary>
    public IReadOnlyList<(Assembly Assembly, string File)> LoadSdkAssemblies(ICollection<string> problems)
    {
        var loaded = new List<(Assembly, string)>();
        foreach (var name in ProbeTarget.SdkAssemblyNames)
        {
            var file = Path.Combine(_folder, name + ".dll");
            if (!File.Exists(file))
            {
                continue;
            }

            try
            {
                loaded.Add((LoadFromAssemblyPath(file), file));
            }
            catch (Exception ex) when (ex is BadImageFormatException or FileLoadException or FileNotFoundException)
            {
                problems.Add($"{file} could not be loaded: {ex.Message}");
            }
        }

        return loaded;
    }

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is not { } name || FrameworkAssemblies.Value.Contains(name))
        {
            return null;
        }

        var file = Path.Combine(_folder, name + ".dll");
        return File.Exists(file) ? LoadFromAssemblyPath(file) : null;
    }

    private static HashSet<string> ReadFrameworkAssemblies()
    {
        // The shared frameworks this tool runs on (Microsoft.NETCore.App, Microsoft.AspNetCore.App) sit side by side.
        var shared = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", ".."));
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var trusted = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty;
        foreach (var path in trusted.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (path.StartsWith(shared, StringComparison.Ordinal))
            {
                names.Add(Path.GetFileNameWithoutExtension(path));
            }
        }

        return names;
    }
}
