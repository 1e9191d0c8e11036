namespace McpCompat.Tests.Support;

/// <summary>
/// The matrix cell this test build is for, and its line in eng/matrix.txt. Read from the build's runtime configuration
/// (MSBuild properties written into McpCompat.Tests.runtimeconfig.json), not from the compiled assembly: cells whose SDK
/// builds share an API may run one compilation of the tests (eng/test.sh, McpPrecompiledTests in Matrix.csproj).
/// </summary>
internal static class SdkUnderTest
{
    /// <summary>Gets the ModelContextProtocol version of this cell (the one in the output folder).</summary>
    public static string Version { get; } = Metadata("McpSdkVersion");

    /// <summary>Gets <c>AspNetCore</c> (the SDK's own host is referenced) or <c>Core</c>.</summary>
    public static string Hosting { get; } = Metadata("McpHosting");

    /// <summary>Gets the ModelContextProtocol.AspNetCore version, or "-" in a cell without the host package.</summary>
    public static string HostVersion { get; } = Hosting == "AspNetCore" ? Metadata("McpAspNetCoreVersion") : "-";

    /// <summary>Gets this cell's line of eng/matrix.txt; a build of an SDK combination that has no cell fails here.</summary>
    public static MatrixCell Cell { get; } = MatrixCell.Find(Path.Combine(AppContext.BaseDirectory, "matrix.txt"), HostVersion, Version);

    private static string Metadata(string key) =>
        AppContext.GetData("McpCompat.Tests." + key) as string
        ?? throw new InvalidOperationException($"McpCompat.Tests.{key} is not in the runtime configuration: build tests/Matrix with its MSBuild properties.");
}
