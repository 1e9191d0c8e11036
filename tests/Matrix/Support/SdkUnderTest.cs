using System.Reflection;

namespace McpCompat.Tests.Support;

/// <summary>The matrix cell this test assembly was built for (from MSBuild properties).</summary>
internal static class SdkUnderTest
{
    public static string Version { get; } = Metadata("McpSdkVersion");

    public static string Hosting { get; } = Metadata("McpHosting");

    /// <summary>The features the probe must find present in this cell (eng/matrix.txt), comma-separated; "none" for none.</summary>
    public static string ExpectedFeatures { get; } = Metadata("McpExpectedFeatures");

    /// <summary>The advisories the probe must report in this cell, comma-separated; "none" for none.</summary>
    public static string ExpectedAdvisories { get; } = Metadata("McpExpectedAdvisories");

    private static string Metadata(string key) =>
        typeof(SdkUnderTest).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
