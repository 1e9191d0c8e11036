using System.Net;
using ModelContextProtocol.Client;

namespace McpCompat.Tests.AspNetCore;

/// <summary>The SDK's own C# client against the fallback path: its GET stream and its DELETE are tracked.</summary>
public sealed class SdkClientTests
{
    [Fact]
    public async Task SdkClient_CallsTools_SessionKeptWhileConnected_ForgottenAfterDispose()
    {
        await using var host = await McpTestHost.StartAsync(o =>
        {
            o.Mode = McpCompatMode.Fallback;
            o.SessionIdleTimeout = TimeSpan.FromSeconds(30);
        });
        var transport = new HttpClientTransport(new HttpClientTransportOptions { Endpoint = host.Endpoint, TransportMode = HttpTransportMode.StreamableHttp }, host.Http, ownsHttpClient: false);
        var client = await McpClient.CreateAsync(transport);
        var id = client.SessionId!;

        var result = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "from the SDK" });
        Assert.Equal("from the SDK", Assert.IsType<ModelContextProtocol.Protocol.TextContentBlock>(result.Content[0]).Text);
        Assert.NotNull(host.Tracker.Find(id));

        await client.DisposeAsync();

        var gone = await Support.Eventually.WaitForAsync(() => Task.FromResult(host.Tracker.Find(id) is null), g => g);
        Assert.True(gone);
        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
    }
}
