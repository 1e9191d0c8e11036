using McpCompat.Hosting;
using McpCompat.Probing;
using McpCompat.Tests.Support;

namespace McpCompat.Tests.Probing;

/// <summary>The probe against what eng/matrix.txt says this cell's SDK has: a probe regression fails the cell.</summary>
public sealed class MatrixCellTests
{
    private static string[] Split(string list) =>
        list == "none" ? [] : list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order().ToArray();

    [Fact]
    public void Probe_ReportsExactlyTheCellsExpectedFeaturesAndAdvisories()
    {
        var report = McpSdkProbe.Current;

        var present = report.Features.Where(f => f.IsPresent).Select(f => f.Kind.ToString()).Order().ToArray();
        var advisories = report.Advisories.Select(a => a.Id).Order().ToArray();

        Assert.True(Split(SdkUnderTest.ExpectedFeatures).SequenceEqual(present),
            $"expected features [{SdkUnderTest.ExpectedFeatures}] (eng/matrix.txt, -p:McpExpectedFeatures), probe found [{string.Join(',', present)}]\n{report}");
        Assert.True(Split(SdkUnderTest.ExpectedAdvisories).SequenceEqual(advisories),
            $"expected advisories [{SdkUnderTest.ExpectedAdvisories}] (-p:McpExpectedAdvisories), probe found [{string.Join(',', advisories)}]");

        // The matrix script prints which paths this cell takes.
        if (Environment.GetEnvironmentVariable("MCPCOMPAT_CELL_REPORT") is { Length: > 0 } file)
        {
            var hosted = $"MapMcpCompat ({CoreTransportApi.Create(report).Shape} API)";
            var auto = McpCompatDecision.Decide(report, new McpCompatOptions(), sdkIsStateless: false).Path;
            File.WriteAllText(file, auto == McpCompatPath.NoHttpHost ? hosted : $"{hosted}; MapMcp: Auto={auto}, Fallback");
        }
    }
}
