using McpCompat.Probing;
using McpCompat.Tests.Support;
using ModelContextProtocol.AspNetCore;

namespace McpCompat.Tests.AspNetCore;

/// <summary>The session mode of the SDK's host when a server leaves it alone, as eng/matrix.txt states it for this cell.</summary>
public sealed class DefaultSessionModeTests
{
    [Fact]
    public void SdkDefault_IsWhatTheCellStates()
    {
        var accessor = new HttpTransportOptionsAccessor(McpSdkProbe.Current.Members);

        var actual = accessor.IsStateless(new HttpServerTransportOptions()) ? "stateless" : "stateful";

        Assert.Equal(SdkUnderTest.Cell.DefaultSessionMode, actual);
    }

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
