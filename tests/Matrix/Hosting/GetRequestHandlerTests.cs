using System.Net;
using System.Text.Json.Nodes;
using McpCompat.Tests.Support;

namespace McpCompat.Tests.Hosting;

/// <summary>MapMcpCompat's GET stream at its edges: the application stopping, and a second stream after the first ended.</summary>
[Collection(HostingTestTools.Collection)]
public sealed class GetRequestHandlerTests
{
    // An upper bound on the real clock, far below the host's 30 s shutdown timeout; no timing claim beyond it.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task OpenStream_ApplicationStops_StreamEndsCleanlyAndHostStopsWithoutWaiting()
    {
        await using var host = await CompatTestHost.StartAsync();
        var id = await host.Client.InitializeAsync();
        using var stream = await host.Client.OpenGetStreamAsync(id);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        var rest = reader.ReadToEndAsync();

        await host.App.StopAsync().WaitAsync(Bound);

        // The end of the stream, not a reset (which would throw).
        Assert.Equal(string.Empty, await rest.WaitAsync(Bound));
        host.Logs.AssertNothingUnhandled();
    }

    [Fact]
    public async Task ToolCallInFlight_ApplicationStops_StreamEndsAndCallIsAnswered()
    {
        HostingTestTools.Reset();
        await using var host = await CompatTestHost.StartAsync();
        var id = await host.Client.InitializeAsync();
        using var stream = await host.Client.OpenGetStreamAsync(id);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        var rest = reader.ReadToEndAsync();
        var call = host.Client.CallToolAsync(id, "wait");
        await HostingTestTools.Entered;

        var stopping = host.App.StopAsync();
        Assert.Equal(string.Empty, await rest.WaitAsync(Bound));
        HostingTestTools.ReleaseAll();

        var (status, message) = await call.WaitAsync(Bound);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("released", (string?)message?["result"]?["content"]?[0]?["text"]);
        await stopping.WaitAsync(Bound);
        host.Logs.AssertNothingUnhandled();
    }

    [Fact]
    public async Task SecondStream_AfterFirstEnded_400WithJsonRpcError_SessionLivesOn()
    {
        await using var host = await CompatTestHost.StartAsync();
        var id = await host.Client.InitializeAsync();
        var first = await host.Client.OpenGetStreamAsync(id);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        first.Dispose();
        var session = host.Tracker.Find(id)!;
        // The stream's request ends once Kestrel has noticed the connection closed.
        await host.Requests.NoneAsync();
        Assert.Equal(0, session.InFlight);

        using var second = await host.Client.OpenGetStreamAsync(id);
        var body = await second.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Equal("application/json", second.Content.Headers.ContentType?.MediaType);
        var error = JsonNode.Parse(body)?["error"];
        Assert.Equal(-32000, (int?)error?["code"]);
        Assert.Equal("Bad Request: this session's GET stream has ended and cannot be opened again (no resumption); start a new session", (string?)error?["message"]);
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));
        host.Logs.AssertNothingUnhandled();
    }
}
