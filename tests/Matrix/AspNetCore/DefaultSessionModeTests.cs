using McpCompat.Probing;
using ModelContextProtocol.AspNetCore;

namespace McpCompat.Tests.AspNetCore;

/// <summary>The session mode of the SDK's host when a server leaves it alone against the probe's advisory (the cell's own line: MatrixCellTests).</summary>
public sealed class DefaultSessionModeTests
{
    [Fact]
    public void StatelessByDefault_ExactlyWhereTheProbeAdvisesIt()
    {
        var accessor = new HttpTransportOptionsAccessor(McpSdkProbe.Current.Members);

        // MCPCOMPAT003 in the advisory table is the claim; a fresh options object is the fact.
        Assert.Equal(
            McpSdkProbe.Current.Advisories.Any(a => a.Id == "MCPCOMPAT003"),
            accessor.IsStateless(new HttpServerTransportOptions()));
    }
}
