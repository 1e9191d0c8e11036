using System.Net;
using McpCompat.MapMcpCompat;
using McpCompat.Probing;
using McpCompat.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace McpCompat.Tests.Hosting;

/// <summary>
/// MapMcpCompat's sessions share the application's server options, as the SDK's host's sessions do (message API shape,
/// 1.0.0 and later): a tool added to the options' collection after start is listed by every session and announced on
/// their GET streams. The pipe shape's builds (0.2) give each session options of its own.
/// </summary>
[Collection(HostingTestTools.Collection)]
public sealed class SharedServerOptionsTests
{
    [Fact]
    public async Task ToolAddedAfterStart_ListedByLiveSessions_WhereOptionsAreShared()
    {
        await using var host = await CompatTestHost.StartAsync();
        var shared = CoreTransportApi.Check(McpSdkProbe.Current).Shape == TransportApiShape.Message;
        var id = await host.Client.InitializeAsync();
        // Where the collection lives differs by SDK build (the options, or their tools capability before 1.0).
        var options = host.App.Services.GetRequiredService<IOptions<McpServerOptions>>().Value;
        var tools = options.GetType().GetProperty("ToolCollection")?.GetValue(options)
            ?? options.Capabilities?.Tools?.GetType().GetProperty("ToolCollection")?.GetValue(options.Capabilities.Tools);
        Assert.NotNull(tools);
        var tool = McpServerTool.Create(() => "late", new McpServerToolCreateOptions { Name = "added-late" });
        tools.GetType().GetMethod("Add", [typeof(McpServerTool)])!.Invoke(tools, [tool]);

        var (status, message) = await host.Client.RequestAsync(id, "tools/list");
        Assert.Equal(HttpStatusCode.OK, status);
        var names = message?["result"]?["tools"]?.AsArray().Select(t => (string?)t?["name"]).ToList() ?? [];
        Assert.Equal(shared, names.Contains("added-late"));
        Assert.Contains("echo", names);
    }
}
