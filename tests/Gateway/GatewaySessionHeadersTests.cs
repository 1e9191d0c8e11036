using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace McpCompat.Gateway.Tests;

/// <summary>
/// The gateway's own requests for a session (the handshake replayed, the DELETE of an idle session) carry its client's
/// credentials (McpCompat:Gateway:SessionHeaders), so an upstream that authenticates every request takes them.
/// </summary>
[Collection(GatewayTests.Collection)]
public sealed class GatewaySessionHeadersTests
{
    private const string Token = "Bearer one";
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task UpstreamRestarted_ReplayCarriesTheClientsAuthorization_CallAnswered()
    {
        var upstreams = new List<Upstream> { await Upstream.StartAsync(requiredAuthorization: Token) };
        try
        {
            await using var host = await GatewayHost.StartAsync(upstreams: upstreams);
            var client = host.ClientWith("Authorization", Token);
            var id = await client.InitializeAsync();

            upstreams[0] = await upstreams[0].RestartAsync();
            var (status, message) = await client.CallToolAsync(id, "echo", """{"text":"after"}""");

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("after", (string?)message?["result"]?["content"]?[0]?["text"]);
            // The replayed handshake went in with the client's credentials: nothing was refused.
            Assert.Equal(1, upstreams[0].Count("initialize"));
            Assert.All(upstreams[0].Credentials, c => Assert.Equal(Token, c.Authorization));
        }
        finally
        {
            await upstreams[0].DisposeAsync();
        }
    }

    [Fact]
    public async Task SessionHeadersEmpty_ReplayRefusedUpstream_ClientTold404()
    {
        var upstreams = new List<Upstream> { await Upstream.StartAsync(requiredAuthorization: Token) };
        try
        {
            await using var host = await GatewayHost.StartAsync(upstreams: upstreams, settings: new Dictionary<string, string?> { ["McpCompat:Gateway:SessionHeaders"] = "" });
            var client = host.ClientWith("Authorization", Token);
            var id = await client.InitializeAsync();

            upstreams[0] = await upstreams[0].RestartAsync();
            var (status, _) = await client.CallToolAsync(id, "echo", """{"text":"after"}""");

            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.Contains(("POST", ""), upstreams[0].Credentials);
        }
        finally
        {
            await upstreams[0].DisposeAsync();
        }
    }

    [Fact]
    public async Task IdleSession_DeleteUpstreamCarriesTheLatestCredentials()
    {
        await using var host = await GatewayHost.StartAsync();
        var id = await host.ClientWith("Authorization", Token).InitializeAsync();
        Assert.Equal(HttpStatusCode.OK, (await host.ClientWith("Authorization", "Bearer two").RequestAsync(id, "ping")).Status);

        await EndIdleSessionsAsync(host);

        Assert.Equal([("DELETE", "Bearer two")], host.Upstream.Credentials.Where(c => c.Method == "DELETE"));
    }

    [Fact]
    public async Task EndedForBeingIdle_ResumedWithTheResumingRequestsCredentials()
    {
        var upstreams = new List<Upstream> { await Upstream.StartAsync(requiredAuthorization: Token) };
        try
        {
            await using var host = await GatewayHost.StartAsync(upstreams: upstreams, cache: new MemoryDistributedCache(Microsoft.Extensions.Options.Options.Create(new MemoryDistributedCacheOptions())));
            var client = host.ClientWith("Authorization", Token);
            var id = await client.InitializeAsync();
            await EndIdleSessionsAsync(host);
            Assert.Null(host.Sessions.Find(id));

            var (status, _) = await client.CallToolAsync(id, "echo", """{"text":"back"}""");

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(2, upstreams[0].Count("initialize"));
            Assert.All(upstreams[0].Credentials, c => Assert.Equal(Token, c.Authorization));
        }
        finally
        {
            await upstreams[0].DisposeAsync();
        }
    }

    [Fact]
    public void Configured_ReplacesTheDefault_ListOrCommaSeparated()
    {
        Assert.Equal(["Authorization"], Bound(new Dictionary<string, string?>()).SessionHeaders);
        Assert.Equal(["X-Api-Key", "Cookie"], Bound(new Dictionary<string, string?> { ["McpCompat:Gateway:SessionHeaders:0"] = "X-Api-Key", ["McpCompat:Gateway:SessionHeaders:1"] = "Cookie" }).SessionHeaders);
        Assert.Equal(["X-Api-Key", "Authorization"], Bound(new Dictionary<string, string?> { ["McpCompat:Gateway:SessionHeaders"] = "X-Api-Key, Authorization" }).SessionHeaders);
        Assert.Empty(Bound(new Dictionary<string, string?> { ["McpCompat:Gateway:SessionHeaders"] = "" }).SessionHeaders);
    }

    [Theory]
    [InlineData("Mcp-Session-Id", "the gateway writes that header itself")]
    [InlineData("X Api Key", "not an HTTP header name")]
    public async Task InvalidSessionHeader_HostStopsAtStart_NamingIt(string header, string reason)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["McpCompat:Gateway:SessionHeaders:0"] = header });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddMcpCompatGateway();
        await using var app = builder.Build();
        app.MapMcpCompatGateway("/mcp", "http://127.0.0.1:9/mcp");

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.StartsWith($"McpCompat:Gateway:SessionHeaders = '{header}' is invalid: {reason}", Assert.Single(ex.Failures), StringComparison.Ordinal);
    }

    private static McpCompatGatewayOptions Bound(IDictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddMcpCompatGateway();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<McpCompatGatewayOptions>>().Value;
    }

    private static async Task EndIdleSessionsAsync(GatewayHost host)
    {
        host.Time.Advance(IdleTimeout + TimeSpan.FromSeconds(1));
        await host.Sweeper.SweepOnceAsync();
        await host.Sweeper.Evictions;
    }
}
