using System.Reflection;

namespace McpCompat.Tests.Support;

/// <summary>The matrix cell this test assembly was built for (from MSBuild properties).</summary>
internal static class SdkUnderTest
{
    public static string Version { get; } = Metadata("McpSdkVersion");

    public static string Hosting { get; } = Metadata("McpHosting");

    private static string Metadata(string key) =>
        typeof(SdkUnderTest).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
