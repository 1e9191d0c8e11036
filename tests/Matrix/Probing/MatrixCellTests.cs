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

        // The matrix script prints which paths this cell takes.
        if (Environment.GetEnvironmentVariable("MCPCOMPAT_CELL_REPORT") is { Length: > 0 } file)
        {
            var hosted = $"MapMcpCompat ({CoreTransportApi.Create(report).Shape.ToName()} API)";
            var auto = McpCompatDecision.Decide(report, new McpCompatOptions(), sdkIsStateless: false).Path;
            File.WriteAllText(file, auto == McpCompatPath.NoHttpHost ? hosted : $"{hosted}; MapMcp: Auto={auto}, Fallback");
        }
    }

    [Fact]
    public void Cell_HostColumn_MatchesTheHostAssemblyFound()
    {
        var host = McpSdkProbe.Current.GetAssembly("ModelContextProtocol.AspNetCore");

        Assert.Equal(SdkUnderTest.Cell.HostVersion, host?.Version ?? "-");
        Assert.Equal(SdkUnderTest.Cell.HostVersion == "-", SdkUnderTest.Cell.DefaultSessionMode == "-");
    }
}
