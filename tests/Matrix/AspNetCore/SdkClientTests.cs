using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
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

        // The client's DELETE ends the session; McpCompat counts that end once it has forgotten the session.
        using var ended = new MetricCollector<long>(host.App.Services.GetRequiredService<IMeterFactory>(), McpCompatTelemetry.MeterName, "mcpcompat.sessions.ended");
        await client.DisposeAsync();
        await ended.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(15));

        Assert.Equal("deleted", Assert.Single(ended.GetMeasurementSnapshot()).Tags["mcpcompat.session.end_reason"]);
        Assert.Null(host.Tracker.Find(id));
        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
    }
}
