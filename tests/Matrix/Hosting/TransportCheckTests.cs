using McpCompat.MapMcpCompat;
using McpCompat.Probing;

namespace McpCompat.Tests.Hosting;

/// <summary>One check decides whether MapMcpCompat can host on an SDK: the CLI's answer and the endpoint's are the same.</summary>
public sealed class TransportCheckTests
{
    private static McpSdkReport Without(Func<ProbedMembers, ProbedMembers> change)
    {
        var current = McpSdkProbe.Current;
        return new McpSdkReport(current.Assemblies, current.Features, current.Advisories, change(current.Members));
    }

    [Fact]
    public void Check_ThisCellsSdk_OneShapeMatchingTheProbedPostMethod()
    {
        var (shape, reason) = CoreTransportApi.Check(McpSdkProbe.Current);

        var expected = McpSdkProbe.Current.Has(McpSdkFeatureKind.StreamableHttpMessageApi) ? TransportApiShape.Message : TransportApiShape.Pipe;
        Assert.True(shape == expected, reason);
        Assert.Equal(expected, CoreTransportApi.Create(McpSdkProbe.Current).Shape);
    }

    [Fact]
    public void Check_NoServerFactory_NamesIt_AndCreateThrowsTheSameReason()
    {
        var report = Without(m => m with { ServerCreate = null, ServerRun = null });

        var (shape, reason) = CoreTransportApi.Check(report);

        Assert.Null(shape);
        Assert.Contains("McpServer.Create(ITransport, McpServerOptions, ILoggerFactory, IServiceProvider) or McpServerFactory.Create(…) is missing", reason, StringComparison.Ordinal);
        Assert.Equal(reason, Assert.Throws<InvalidOperationException>(() => CoreTransportApi.Create(report)).Message);
    }

    [Fact]
    public void Check_NoGetHandler_NamesTheShapesOwn()
    {
        var report = Without(m => m with { HandleGetMessage = null, HandleGetPipe = null });

        var (shape, reason) = CoreTransportApi.Check(report);

        Assert.Null(shape);
        var expected = McpSdkProbe.Current.Has(McpSdkFeatureKind.StreamableHttpMessageApi) ? ".HandleGetRequestAsync(Stream, CancellationToken) is missing" : ".HandleGetRequest(Stream, CancellationToken) is missing";
        Assert.Contains(expected, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_NoSdk_NamesTheTransportType()
    {
        var (shape, reason) = CoreTransportApi.Check(McpSdkProbe.Inspect([]));

        Assert.Null(shape);
        Assert.Contains("ModelContextProtocol.Server.StreamableHttpServerTransport is missing", reason, StringComparison.Ordinal);
    }
}
