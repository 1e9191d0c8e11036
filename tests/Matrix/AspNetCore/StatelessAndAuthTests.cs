using System.Net;
using McpCompat.Decision;
using McpCompat.Probing;
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
        // Where the SDK is stateless by default, the advisory that says so is in effect here.
        Assert.Equal(
            McpSdkProbe.Current.Advisories.Any(a => a.Id == "MCPCOMPAT003") ? 1 : 0,
            records.Count(r => r.Id.Name == "Advisory" && r.Level == LogLevel.Information && r.Message.Contains("MCPCOMPAT003", StringComparison.Ordinal)));
        Assert.DoesNotContain(records, r => r.Id.Name == "AdvisoryNotInEffect");
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

        Assert.Equal(HttpStatusCode.OK, await alice.PingAsync(id));
        Assert.NotNull(host.Tracker.Find(id));
    }

    [Fact]
    public async Task Fallback_OtherUsersDelete_RefusedUnlessTheSdkSkipsTheCheck()
    {
        await using var host = await StartAuthorizedFallbackAsync();
        var alice = host.ClientFor("alice");
        var bob = host.ClientFor("bob");
        var id = await alice.InitializeAsync();

        var status = await bob.DeleteAsync(id);

        if (McpSdkProbe.Current.Advisories.Any(a => a.Id == "MCPCOMPAT004"))
        {
            // The SDK's DELETE does not check the user in this range: the advisory says so, and this is what it means.
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(HttpStatusCode.NotFound, await alice.PingAsync(id));
        }
        else
        {
            Assert.Equal(HttpStatusCode.Forbidden, status);
            Assert.Equal(HttpStatusCode.OK, await alice.PingAsync(id));
            Assert.NotNull(host.Tracker.Find(id));
        }
    }
}
