using System.Reflection;

namespace McpCompat.Tooling.Tests.Support;

/// <summary>Paths baked in at build time, and throwaway folders of SDK assemblies taken from the NuGet packages folder.</summary>
internal static class TestEnvironment
{
    private static readonly string[] LibFolders = ["net10.0", "net9.0", "net8.0"];

    public static string NuGetPackageRoot => Metadata("NuGetPackageRoot");

    public static string RepositoryRoot => Metadata("RepositoryRoot");

    /// <summary>A new temporary folder, deleted by the caller through <see cref="TempFolder"/>.</summary>
    public static TempFolder NewFolder() => new(Path.Combine(Path.GetTempPath(), "mcpcompat-tests-" + Guid.NewGuid().ToString("N")));

    /// <summary>Copies the lib assembly of one SDK package (its newest .NET build) into a folder.</summary>
    public static void CopySdkAssembly(string folder, string package, string version)
    {
        var lib = Path.Combine(NuGetPackageRoot, package.ToLowerInvariant(), version, "lib");
        var tfm = LibFolders.First(t => Directory.Exists(Path.Combine(lib, t)));
        var file = Path.Combine(lib, tfm, package + ".dll");
        Directory.CreateDirectory(folder);
        File.Copy(file, Path.Combine(folder, package + ".dll"), overwrite: true);
    }

    private static string Metadata(string key) =>
        typeof(TestEnvironment).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
            ?? throw new InvalidOperationException($"Assembly metadata {key} is missing.");
}
