using McpCompat.Probing;
using McpCompat.Tests.Support;
using NuGet.Versioning;

namespace McpCompat.Tests.Probing;

public sealed class ProbeTests
{
    private static McpSdkReport Report => McpSdkProbe.Current;

    [Fact]
    public void ToString_AdvisoryOnlyForStatelessServers_MarkedSo()
    {
        var lines = Report.ToString().Split('\n');

        foreach (var advisory in Report.Advisories)
        {
            var line = Assert.Single(lines, l => l.TrimStart().StartsWith(advisory.Id + " ", StringComparison.Ordinal));
            Assert.Equal(advisory.OnlyWhenStateless, line.Contains("[in effect only for a server that runs stateless", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Current_FindsCoreAndMainAssemblies_WithTheRestoredPackageVersion()
    {
        var expected = NuGetVersion.Parse(SdkUnderTest.Version).ToNormalizedString();

        Assert.Equal(expected, Report.GetAssembly("ModelContextProtocol")?.Version);
        Assert.Equal(expected, Report.GetAssembly("ModelContextProtocol.Core")?.Version);
        Assert.All(Report.Assemblies, a => Assert.DoesNotContain("+", a.Version, StringComparison.Ordinal));
    }

    [Fact]
    public void Current_AspNetCoreAssembly_FoundExactlyWhenTheCellHostsOnIt()
    {
        var hostsOnAspNetCore = SdkUnderTest.Hosting == "AspNetCore";

        Assert.Equal(hostsOnAspNetCore, Report.GetAssembly("ModelContextProtocol.AspNetCore") is not null);
        Assert.Equal(hostsOnAspNetCore, Report.Has(McpSdkFeatureKind.AspNetCoreHosting));
    }

    [Fact]
    public void Current_EveryFeatureHasEvidence()
    {
        Assert.Equal(Enum.GetValues<McpSdkFeatureKind>().Length, Report.Features.Count);
        Assert.All(Report.Features, f => Assert.False(string.IsNullOrWhiteSpace(f.Evidence)));
    }

    [Fact]
    public void Current_TransportHasExactlyOneApiShape()
    {
        Assert.True(Report.Has(McpSdkFeatureKind.StreamableHttpTransport), Report.ToString());
        Assert.True(Report.Has(McpSdkFeatureKind.StreamableHttpMessageApi) ^ Report.Has(McpSdkFeatureKind.StreamableHttpPipeApi), Report.ToString());
    }

    [Fact]
    public void Current_NativeFeatures_FollowTheOptionsType()
    {
        // Evidence is judged against the members themselves: each native feature needs the options type.
        if (!Report.Has(McpSdkFeatureKind.AspNetCoreHosting))
        {
            Assert.False(Report.Has(McpSdkFeatureKind.NativeIdleTimeout));
            Assert.Contains("not loaded", Report.GetFeature(McpSdkFeatureKind.AspNetCoreHosting).Evidence, StringComparison.Ordinal);
            return;
        }

        Assert.Contains("HttpServerTransportOptions.IdleTimeout", Report.GetFeature(McpSdkFeatureKind.NativeIdleTimeout).Evidence, StringComparison.Ordinal);
        Assert.NotNull(Report.Members.IdleTimeout);
        Assert.Equal(typeof(TimeSpan), Report.Members.IdleTimeout!.PropertyType);
    }

    [Fact]
    public void Inspect_NoAssemblies_EverythingAbsentWithReason()
    {
        var report = McpSdkProbe.Inspect([]);

        Assert.Empty(report.Assemblies);
        Assert.Empty(report.Advisories);
        Assert.All(report.Features, f => Assert.False(f.IsPresent));
        Assert.Contains("ModelContextProtocol.AspNetCore is not loaded", report.GetFeature(McpSdkFeatureKind.AspNetCoreHosting).Evidence, StringComparison.Ordinal);
        Assert.Equal("no MCP C# SDK assembly", report.SdkDescription);
    }

    [Fact]
    public void Inspect_UnrelatedAssemblies_Ignored()
    {
        var report = McpSdkProbe.Inspect([typeof(ProbeTests).Assembly, typeof(object).Assembly]);

        Assert.Empty(report.Assemblies);
    }

    [Fact]
    public void Inspect_Null_Throws()
    {
        Assert.Equal("assemblies", Assert.Throws<ArgumentNullException>(() => McpSdkProbe.Inspect(null!)).ParamName);
    }

    [Theory]
    [InlineData("0.1.0-preview.9", "")]
    [InlineData("0.1.0-preview.10", "MCPCOMPAT001 MCPCOMPAT002 MCPCOMPAT004")]
    [InlineData("0.5.0-preview.1", "MCPCOMPAT001 MCPCOMPAT002 MCPCOMPAT004")]
    [InlineData("0.6.0-preview.1", "MCPCOMPAT002 MCPCOMPAT004")]
    [InlineData("0.8.0-preview.1", "MCPCOMPAT002 MCPCOMPAT004")]
    [InlineData("1.0.0", "MCPCOMPAT002 MCPCOMPAT004")]
    [InlineData("1.1.0", "MCPCOMPAT002 MCPCOMPAT004")]
    [InlineData("1.3.0", "MCPCOMPAT002 MCPCOMPAT004")]
    [InlineData("1.4.0", "MCPCOMPAT002")]
    [InlineData("1.4.1", "")]
    [InlineData("2.0.0-preview.1", "")]
    [InlineData("2.0.0", "MCPCOMPAT003")]
    [InlineData("2.3.1", "MCPCOMPAT003")]
    public void KnownDefects_ForAspNetCoreVersion_ReturnsAdvisoriesInRange(string version, string expectedIds)
    {
        var ids = KnownDefects.For("ModelContextProtocol.AspNetCore", NuGetVersion.Parse(version)).Select(a => a.Id);

        Assert.Equal(expectedIds, string.Join(' ', ids));
    }

    [Fact]
    public void KnownDefects_OnlyTheUnitsDefectDisqualifiesNative()
    {
        Assert.Equal(["MCPCOMPAT001"], KnownDefects.All.Where(d => d.DisqualifiesNativeIdleTimeout).Select(d => d.Id));
    }

    [Fact]
    public void ToString_ListsAssembliesFeaturesAndAdvisories()
    {
        var text = Report.ToString();

        Assert.Contains("ModelContextProtocol.Core", text, StringComparison.Ordinal);
        Assert.All(Enum.GetNames<McpSdkFeatureKind>(), name => Assert.Contains(name, text, StringComparison.Ordinal));
        Assert.Contains("advisories:", text, StringComparison.Ordinal);
    }
}
