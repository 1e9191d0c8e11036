using McpCompat.MapMcpCompat;
using McpCompat.Probing;
using McpCompat.Tests.Support;

namespace McpCompat.Tests.Probing;

/// <summary>The probe against what this cell's line of eng/matrix.txt says its SDK has: a probe regression fails the cell.</summary>
public sealed class MatrixCellTests
{
    [Fact]
    public void Probe_ReportsExactlyTheCellsExpectedFeaturesAndAdvisories()
    {
        var report = McpSdkProbe.Current;
        var cell = SdkUnderTest.Cell;

        var present = report.Features.Where(f => f.IsPresent).Select(f => f.Kind.ToString()).Order(StringComparer.Ordinal).ToArray();
        var advisories = report.Advisories.Select(a => a.Id).Order(StringComparer.Ordinal).ToArray();

        Assert.True(cell.Features.SequenceEqual(present),
            $"cell {cell.Name} (eng/matrix.txt) expects features [{string.Join(',', cell.Features)}], the probe found [{string.Join(',', present)}]\n{report}");
        Assert.True(cell.Advisories.SequenceEqual(advisories),
            $"cell {cell.Name} (eng/matrix.txt) expects advisories [{string.Join(',', cell.Advisories)}], the probe found [{string.Join(',', advisories)}]");
    }

    [Fact]
    public void Cell_PathsTheMatrixScriptDerives_AreTheDecisions()
    {
        // eng/matrix-docs.sh (auto_path, path_line) derives the paths docs/compatibility.md and README.md state from the cell's line with this rule.
        var report = McpSdkProbe.Current;
        var cell = SdkUnderTest.Cell;
        var disqualifying = report.Advisories.Where(a => a.DisqualifiesNativeIdleTimeout).Select(a => a.Id);
        var derived = !cell.Features.Contains("AspNetCoreHosting") ? McpCompatPath.NoHttpHost
            : cell.Features.Contains("NativeIdleTimeout") && !cell.Advisories.Intersect(disqualifying).Any() ? McpCompatPath.Native
            : McpCompatPath.Fallback;

        Assert.Equal(cell.Features.Contains("StreamableHttpPipeApi") ? "pipe" : "message", CoreTransportApi.Create(report).Shape.ToName());
        Assert.Equal(derived, McpCompatDecision.Decide(report, new McpCompatOptions(), sdkIsStateless: false).Path);
    }

    [Fact]
    public void Cell_DefaultSessionModeColumn_IsTheHostsDefault()
    {
        var accessor = new HttpTransportOptionsAccessor(McpSdkProbe.Current.Members);

        var actual = accessor.OptionsType is { } options
            ? accessor.IsStateless(Activator.CreateInstance(options)!) ? "stateless" : "stateful"
            : "-";

        Assert.Equal(SdkUnderTest.Cell.DefaultSessionMode, actual);

        // The advisory that says "stateless by default" (MCPCOMPAT003, checked against the probe above) is on exactly the
        // cells whose host is stateless by default.
        Assert.Equal(actual == "stateless", SdkUnderTest.Cell.Advisories.Contains("MCPCOMPAT003"));
    }

    [Fact]
    public void Cell_HostColumn_MatchesTheHostAssemblyFound()
    {
        var host = McpSdkProbe.Current.GetAssembly("ModelContextProtocol.AspNetCore");

        Assert.Equal(SdkUnderTest.Cell.HostVersion, host?.Version ?? "-");
        Assert.Equal(SdkUnderTest.Cell.HostVersion == "-", SdkUnderTest.Cell.DefaultSessionMode == "-");
    }
}
