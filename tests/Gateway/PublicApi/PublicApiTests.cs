using PublicApiGenerator;

namespace McpCompat.Gateway.Tests.PublicApi;

public sealed class PublicApiTests
{
    [Fact]
    public void PublicApi_MatchesApprovedFile()
    {
        var actual = typeof(Microsoft.Extensions.DependencyInjection.McpCompatGatewayServiceCollectionExtensions).Assembly.GeneratePublicApi(new ApiGeneratorOptions
        {
            AllowNamespacePrefixes = ["Microsoft.Extensions.DependencyInjection", "Microsoft.AspNetCore.Builder"],
            ExcludeAttributes = ["System.Runtime.Versioning.TargetFrameworkAttribute", "System.Reflection.AssemblyMetadataAttribute", "System.Runtime.CompilerServices.InternalsVisibleToAttribute"],
        }).ReplaceLineEndings("\n");
        var approvedPath = Path.Combine(AppContext.BaseDirectory, "PublicApi", "McpCompat.Gateway.approved.txt");
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : string.Empty;

        if (actual != approved)
        {
            var received = Path.Combine(SourceDirectory(), "McpCompat.Gateway.received.txt");
            File.WriteAllText(received, actual);
            Assert.Fail($"The public API changed. Review {received} and, if intended, copy it over PublicApi/McpCompat.Gateway.approved.txt.");
        }
    }

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
