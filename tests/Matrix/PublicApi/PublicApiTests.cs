using McpCompat.Tests.Support;
using PublicApiGenerator;

namespace McpCompat.Tests.PublicApi;

[Trait(SdkIndependent.Trait, SdkIndependent.Value)]
public sealed class PublicApiTests
{
    [Theory]
    [InlineData("McpCompat")]
    [InlineData("McpCompat.StackExchangeRedis")]
    public void PublicApi_MatchesApprovedFile(string package)
    {
        var assembly = package == "McpCompat" ? typeof(McpCompatOptions).Assembly : typeof(McpCompat.StackExchangeRedis.McpCompatRedisOptions).Assembly;
        var actual = assembly.GeneratePublicApi(new ApiGeneratorOptions
        {
            AllowNamespacePrefixes = ["Microsoft.Extensions.DependencyInjection", "Microsoft.AspNetCore.Builder"],
            ExcludeAttributes = ["System.Runtime.Versioning.TargetFrameworkAttribute", "System.Reflection.AssemblyMetadataAttribute", "System.Runtime.CompilerServices.InternalsVisibleToAttribute"],
        }).ReplaceLineEndings("\n");
        var approvedPath = Path.Combine(AppContext.BaseDirectory, "PublicApi", $"{package}.approved.txt");
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : string.Empty;

        if (actual != approved)
        {
            var received = Path.Combine(SourceDirectory(), $"{package}.received.txt");
            File.WriteAllText(received, actual);
            Assert.Fail($"The public API changed. Review {received} and, if intended, copy it over PublicApi/{package}.approved.txt.");
        }
    }

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
