using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace McpCompat.Gateway.Tests;

/// <summary>What the gateway refuses before anything reaches an upstream: a foreign Host or Origin, a body too large or not one JSON object, an unknown session.</summary>
[Collection(GatewayTests.Collection)]
public sealed class GatewayRequestCheckTests
{
    [Fact]
    public async Task ForeignOrigin_403_NothingRelayed()
    {
        await using var host = await GatewayHost.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, host.Endpoint) { Content = new StringContent(McpClient.Initialize(), Encoding.UTF8, "application/json") };
        request.Headers.Add("Origin", "http://evil.example");
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");

        using var response = await host.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(host.Upstream.Requests);
    }

    [Fact]
    public async Task BodyOverFourMebibytes_413_NothingRelayed()
    {
        await using var host = await GatewayHost.StartAsync();
        var body = $$$"""{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"{{{new string('x', 4 * 1024 * 1024)}}}"}}""";

        var (status, _, _) = await host.Client.PostAsync(null, body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Empty(host.Upstream.Requests);
    }

    [Fact]
    public async Task UnknownSession_404_NothingRelayed()
    {
        await using var host = await GatewayHost.StartAsync();

        var (status, message) = await host.Client.RequestAsync("not-a-session", "ping");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(-32001, (int?)message?["error"]?["code"]);
        Assert.Empty(host.Upstream.Requests);
    }

    [Theory]
    [InlineData("not json", -32700)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"ping"} trailing""", -32700)]
    [InlineData("""[{"jsonrpc":"2.0","id":1,"method":"ping"}]""", -32600)]
    public async Task BodyNotOneJsonObject_400_NothingRelayed(string body, int code)
    {
        await using var host = await GatewayHost.StartAsync();

        var (status, _, message) = await host.Client.PostAsync(null, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(code, (int?)message?["error"]?["code"]);
        Assert.Empty(host.Upstream.Requests);
    }

    [Fact]
    public async Task InitializeWithItsMethodNameEscaped_StartsASession()
    {
        await using var host = await GatewayHost.StartAsync();

        var (status, headers, _) = await host.Client.PostAsync(null, McpClient.Initialize().Replace("\"initialize\"", "\"\\u0069nitialize\"", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(host.Sessions.Find(headers.GetValues("Mcp-Session-Id").Single()));
    }
}
