using System.Reflection;

namespace McpCompat.Tests.Support;

/// <summary>The matrix cell this test assembly was built for (from MSBuild properties), and its line in eng/matrix.txt.</summary>
internal static class SdkUnderTest
{
    /// <summary>Gets the ModelContextProtocol version the tests were built against.</summary>
    public static string Version { get; } = Metadata("McpSdkVersion");

    /// <summary>Gets <c>AspNetCore</c> (the SDK's own host is referenced) or <c>Core</c>.</summary>
    public static string Hosting { get; } = Metadata("McpHosting");

    /// <summary>Gets the ModelContextProtocol.AspNetCore version, or "-" in a cell without the host package.</summary>
    public static string HostVersion { get; } = Hosting == "AspNetCore" ? Metadata("McpAspNetCoreVersion") : "-";

    /// <summary>Gets this cell's line of eng/matrix.txt; a build of an SDK combination that has no cell fails here.</summary>
    public static MatrixCell Cell { get; } = MatrixCell.Find(Path.Combine(AppContext.BaseDirectory, "matrix.txt"), HostVersion, Version);

    private static string Metadata(string key) =>
        typeof(SdkUnderTest).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
