using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.AspNetCore;

namespace McpCompat.Tests.AspNetCore;

public sealed class StatelessAndAuthTests
{
    private static Task<McpTestHost> StartAuthorizedFallbackAsync() => McpTestHost.StartAsync(
        o =>
        {
            o.Mode = McpCompatMode.Fallback;
            o.SessionIdleTimeout = TimeSpan.FromSeconds(30);
        },
        requireAuthorization: true);

    [Fact]
    public async Task StatelessSdk_NothingToExpire_SaysSoAndChangesNothing()
    {
        await using var host = await McpTestHost.StartAsync(o => o.Mode = McpCompatMode.Fallback, stateless: true);

        Assert.Equal(McpCompatPath.Stateless, host.App.Services.GetRequiredService<McpCompatRuntime>().Decision.Path);
        var records = host.Logs.GetSnapshot();
        Assert.Single(records, r => r.Id.Name == "StatelessPath");
        Assert.DoesNotContain(records, r => r.Level >= LogLevel.Warning);
        var sdk = host.App.Services.GetRequiredService<IOptions<HttpServerTransportOptions>>().Value;
        Assert.Equal(new HttpServerTransportOptions().IdleTimeout, sdk.IdleTimeout);
    }

    [Fact]
    public async Task Fallback_EndpointRequiresAuthorization_SessionEndedAsItsCreator()
    {
        await using var host = await StartAuthorizedFallbackAsync();
        var alice = host.ClientFor("alice");
        var id = await alice.InitializeAsync();

        host.Time.Advance(TimeSpan.FromSeconds(30));
        await host.Sweeper.SweepOnceAsync();

        Assert.Equal(0, host.Tracker.Count);
        Assert.Equal(HttpStatusCode.NotFound, await alice.PingAsync(id));
    }

    [Fact]
    public async Task Fallback_OtherUserWithTheId_RefusedBySdk_SessionLivesOn()
    {
        await using var host = await StartAuthorizedFallbackAsync();
        var alice = host.ClientFor("alice");
        var bob = host.ClientFor("bob");
        var id = await alice.InitializeAsync();

        Assert.Equal(HttpStatusCode.Forbidden, await bob.PingAsync(id));
        Assert.Equal(HttpStatusCode.Forbidden, await bob.DeleteAsync(id));

        Assert.Equal(HttpStatusCode.OK, await alice.PingAsync(id));
        Assert.NotNull(host.Tracker.Find(id));
    }
}
