using System.Net;
using System.Net.Sockets;
using System.Text;
using McpCompat.Tests.Support;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace McpCompat.Tests.Hosting;

/// <summary>MapMcpCompat reading a POST's body from a client that sends it too slowly.</summary>
[Collection(HostingTestTools.Collection)]
public sealed class RequestBodyReaderTests
{
    [Fact]
    public async Task BodySlowerThanMinimumDataRate_408_LoggedAtDebug_NothingUnhandled()
    {
        // Kestrel's own timer (real time, a heartbeat a second) enforces the rate; the grace period is its shortest.
        await using var host = await CompatTestHost.StartAsync(services: s => s.Configure<KestrelServerOptions>(o =>
            o.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 1000, gracePeriod: TimeSpan.FromSeconds(2))));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, host.BaseAddress.Port);
        var connection = client.GetStream();
        const string Head = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json, text/event-stream\r\n" +
            "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"jsonrpc\":";

        // The first bytes of the body, then nothing: far below the minimum rate.
        await connection.WriteAsync(Encoding.ASCII.GetBytes(Head));
        var response = await ReadUntilClosedAsync(connection).WaitAsync(TimeSpan.FromSeconds(15));

        Assert.StartsWith("HTTP/1.1 408", response, StringComparison.Ordinal);
        Assert.Contains("""{"jsonrpc":"2.0","error":{"code":-32000,"message":"Request Timeout: """, response, StringComparison.Ordinal);
        var record = await host.Logs.WaitForAsync(r => r.Id.Name == "RequestBodyUnreadable");
        Assert.Equal(LogLevel.Debug, record.Level);
        Assert.Equal(20, record.Id.Id);
        host.Logs.AssertNothingUnhandled();
    }

    /// <summary>Everything the server sends until it closes the connection (or resets it).</summary>
    private static async Task<string> ReadUntilClosedAsync(NetworkStream connection)
    {
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await connection.ReadAsync(buffer)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // Reset after the answer: what arrived is the answer.
        }

        return Encoding.ASCII.GetString(received.ToArray());
    }
}
