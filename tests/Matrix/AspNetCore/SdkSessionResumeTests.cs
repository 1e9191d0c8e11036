using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using McpCompat.Probing;
using McpCompat.Resumption;
using McpCompat.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;

namespace McpCompat.Tests.AspNetCore;

/// <summary>
/// <see cref="McpCompatOptions.SessionResumeWindow"/> on the SDK's own <c>MapMcp</c>, through the SDK's own hook
/// (<c>ISessionMigrationHandler</c>, every served AspNetCore build from 1.0.0 has it): a session the SDK evicted (native
/// path) or McpCompat ended in-process (fallback path) comes back under its old id; only for its owner; a client's DELETE
/// ends it for good. On a host without the hook (0.8.0-preview.1) McpCompat says so once, keeps no record, and an evicted
/// session's id gets the SDK's own 404, as without the window. The hook is reached through the probe's members only, so
/// these tests build on every host. The cache is a fake on the application's fake clock.
/// </summary>
public sealed class SdkSessionResumeTests
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Window = TimeSpan.FromDays(1);

    private static bool SdkHasHook => McpSdkProbe.Current.Has(McpSdkFeatureKind.SessionMigration);

    /// <summary>The handler in the SDK's options (<c>HttpServerTransportOptions.SessionMigrationHandler</c>).</summary>
    private static object? HandlerOf(McpTestHost host) =>
        McpSdkProbe.Current.Members.SessionMigrationHandler!.GetValue(host.App.Services.GetRequiredService<IOptions<HttpServerTransportOptions>>().Value);

    private static async Task<(McpTestHost Host, FakeDistributedCache Cache)> StartAsync(McpCompatMode mode, bool requireAuthorization = false, Action<IServiceCollection>? services = null)
    {
        var host = await McpTestHost.StartAsync(
            o =>
            {
                o.Mode = mode;
                o.SessionIdleTimeout = IdleTimeout;
                o.SessionResumeWindow = Window;
            },
            services: s =>
            {
                s.AddSingleton<IDistributedCache>(sp => new FakeDistributedCache(sp.GetRequiredService<TimeProvider>()));
                services?.Invoke(s);
            },
            requireAuthorization: requireAuthorization);
        return (host, Assert.IsType<FakeDistributedCache>(host.App.Services.GetRequiredService<IDistributedCache>()));
    }

    /// <summary>Ends the session the way the path does: the SDK's own sweeper (native) or McpCompat's in-process DELETE (fallback).</summary>
    private static async Task EvictAsync(McpTestHost host, McpCompatMode mode, string id)
    {
        if (mode == McpCompatMode.Fallback)
        {
            host.Time.Advance(IdleTimeout + TimeSpan.FromSeconds(1));
            await host.Sweeper.SweepOnceAsync();
            Assert.Equal(0, host.Tracker.Count);
            return;
        }

        await host.AdvancePastTheSdksSweepAsync(id, IdleTimeout);
    }

    [Fact]
    public async Task Hook_McpCompatsInTheSdksOptions_OrNoneAndWarnedOnce()
    {
        var feature = McpSdkProbe.Current.GetFeature(McpSdkFeatureKind.SessionMigration);
        await using var host = (await StartAsync(McpCompatMode.Auto)).Host;

        if (!SdkHasHook)
        {
            Assert.Contains("ISessionMigrationHandler not found", feature.Evidence, StringComparison.Ordinal);
            Assert.Null(typeof(HttpServerTransportOptions).GetProperty("SessionMigrationHandler"));
            var warning = Assert.Single(host.Logs.GetSnapshot(), r => r.Id.Name == "SessionResumeUnavailable");
            Assert.Equal(LogLevel.Warning, warning.Level);
            return;
        }

        Assert.Contains("AllowSessionMigrationAsync", feature.Evidence, StringComparison.Ordinal);
        var handler = HandlerOf(host);
        Assert.NotNull(handler);
        Assert.True(McpSdkProbe.Current.Members.SessionMigrationHandlerType!.IsInstanceOfType(handler));
        Assert.DoesNotContain(host.Logs.GetSnapshot(), r => r.Id.Name == "SessionResumeUnavailable");
    }

    [Theory]
    [InlineData(McpCompatMode.Auto)]
    [InlineData(McpCompatMode.Fallback)]
    public async Task Evicted_ClientComesBack_SameIdNoHandshake(McpCompatMode mode)
    {
        var (host, cache) = await StartAsync(mode);
        await using var _ = host;
        var id = await host.Client.InitializeAsync();
        if (!SdkHasHook)
        {
            Assert.Null(cache.Peek(SessionRecordStore.KeyOf(id)));
            await EvictAsync(host, mode, id);
            Assert.Equal(HttpStatusCode.NotFound, (await host.Client.CallToolAsync(id, "echo", new JsonObject { ["message"] = "back" })).Status);
            Assert.DoesNotContain(host.Logs.GetSnapshot(), r => r.Id.Name == "SessionResumed");
            host.Logs.AssertNothingUnhandled();
            return;
        }

        Assert.NotNull(cache.Peek(SessionRecordStore.KeyOf(id)));

        await EvictAsync(host, mode, id);
        var resumed = host.Logs.WaitForAsync(r => r.Id.Name == "SessionResumed" && r.Message.Contains(id, StringComparison.Ordinal));
        // Polls: the SDK's own sweeper drops the session after its log record and signals nothing, so a call may still find it.
        var status = await Eventually.WaitForAsync(
            async () => (await host.Client.CallToolAsync(id, "echo", new JsonObject { ["message"] = "back" })).Status,
            _ => resumed.IsCompleted);
        await resumed;

        Assert.Equal(HttpStatusCode.OK, status);
        var (echoStatus, echo) = await host.Client.CallToolAsync(id, "echo", new JsonObject { ["message"] = "again" });
        Assert.Equal(HttpStatusCode.OK, echoStatus);
        Assert.Equal("again", (string?)echo?["result"]?["content"]?[0]?["text"]);
        host.Logs.AssertNothingUnhandled();
    }

    [Fact]
    public async Task Record_KeepsTheClientsParameters_AndTheNegotiatedRevision()
    {
        var (host, cache) = await StartAsync(McpCompatMode.Auto);
        await using var _ = host;

        var id = await host.Client.InitializeAsync();
        if (!SdkHasHook)
        {
            // The hook is where the SDK hands over the handshake: without it there is nothing to record.
            Assert.Null(cache.Peek(SessionRecordStore.KeyOf(id)));
            return;
        }

        var record = SessionRecord.TryParse(cache.Peek(SessionRecordStore.KeyOf(id)), out var problem);
        Assert.True(record is not null, problem);
        Assert.Equal(host.Client.ProtocolVersion, record.ProtocolVersion);
        Assert.Contains("raw-test-client", System.Text.Encoding.UTF8.GetString(record.ClientInfo.Span), StringComparison.Ordinal);
        Assert.Null(record.Owner);
    }

    [Fact]
    public async Task AnotherUser_GetsWhatALiveSessionAnswers_DoesNotResume_OwnerResumes()
    {
        var (host, cache) = await StartAsync(McpCompatMode.Fallback, requireAuthorization: true);
        await using var _ = host;
        var alice = host.ClientFor("alice");
        var bob = host.ClientFor("bob");
        var id = await alice.InitializeAsync();
        var liveDelete = await SendDeleteAsync(host, "bob", id);
        var livePing = await bob.RequestAsync(id, "ping");

        if (!SdkHasHook)
        {
            // No record, so McpCompat has nothing to check another user's DELETE against, and this host's DELETE checks no
            // user (MCPCOMPAT004): it ends the live session, and nothing resumes it, for its owner either.
            Assert.Contains(McpSdkProbe.Current.Advisories, a => a.Id == "MCPCOMPAT004");
            Assert.Equal(HttpStatusCode.OK, liveDelete.Status);
            Assert.Equal(HttpStatusCode.NotFound, livePing.Status);
            Assert.Null(cache.Peek(SessionRecordStore.KeyOf(id)));
            Assert.Equal(HttpStatusCode.NotFound, await alice.PingAsync(id));
            return;
        }

        await EvictAsync(host, McpCompatMode.Fallback, id);
        var evictedPing = await bob.RequestAsync(id, "ping");
        var evictedDelete = await SendDeleteAsync(host, "bob", id);

        Assert.Equal(HttpStatusCode.Forbidden, liveDelete.Status);
        Assert.Equal(HttpStatusCode.Forbidden, livePing.Status);
        Assert.Equal(livePing.Status, evictedPing.Status);
        // The same answer, byte for byte, but for the request's own id (the client numbers its requests; 2.x hosts
        // repeat it, 1.x hosts write an empty one), written as the SDK writes it.
        var liveId = livePing.Message!["id"]!.ToJsonString();
        var evictedId = evictedPing.Message!["id"]!.ToJsonString();
        Assert.True(liveId == evictedId || (liveId, evictedId) == ("1", "2"), $"ids {liveId} and {evictedId}");
        Assert.Equal(livePing.Message.ToJsonString().Replace($"\"id\":{liveId}", "\"id\":?", StringComparison.Ordinal), evictedPing.Message.ToJsonString().Replace($"\"id\":{evictedId}", "\"id\":?", StringComparison.Ordinal));
        Assert.Equal(liveDelete.Status, evictedDelete.Status);
        Assert.Equal(liveDelete.Body, evictedDelete.Body);
        Assert.NotNull(cache.Peek(SessionRecordStore.KeyOf(id)));
        Assert.Equal(HttpStatusCode.OK, await alice.PingAsync(id));
    }

    [Theory]
    [InlineData(McpCompatMode.Auto)]
    [InlineData(McpCompatMode.Fallback)]
    public async Task ClientDelete_DeletesTheRecord_NoResumeAfter(McpCompatMode mode)
    {
        var (host, cache) = await StartAsync(mode);
        await using var _ = host;
        var live = await host.Client.InitializeAsync();
        var evicted = await host.Client.InitializeAsync();
        await EvictAsync(host, mode, evicted);

        // The clock passed both sessions' idle timeout: each is live or recorded with the hook; without it (no record)
        // both ended for good at the eviction, and a DELETE finds neither.
        var expected = SdkHasHook ? HttpStatusCode.OK : HttpStatusCode.NotFound;
        Assert.Equal(expected, await host.Client.DeleteAsync(live));
        Assert.Equal(expected, await host.Client.DeleteAsync(evicted));

        Assert.Null(cache.Peek(SessionRecordStore.KeyOf(live)));
        Assert.Null(cache.Peek(SessionRecordStore.KeyOf(evicted)));
        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(live));
        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(evicted));
    }

    [Fact]
    public async Task DamagedRecord_404_Logged_Never500()
    {
        var (host, cache) = await StartAsync(McpCompatMode.Fallback);
        await using var _ = host;
        var id = await host.Client.InitializeAsync();
        await EvictAsync(host, McpCompatMode.Fallback, id);
        cache.Set(SessionRecordStore.KeyOf(id), "{\"v\":1}"u8.ToArray(), new DistributedCacheEntryOptions { SlidingExpiration = Window });

        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
        // Without the hook no record is ever read: nothing to refuse.
        Assert.Equal(SdkHasHook, host.Logs.GetSnapshot().Any(r => r.Id.Name == "SessionRecordRefused" && r.Message.Contains(id, StringComparison.Ordinal)));
        host.Logs.AssertNothingUnhandled();
    }

    [Fact]
    public async Task ApplicationsOwnHandler_KeptInPlace_Warned()
    {
        if (McpSdkProbe.Current.Members.SessionMigrationHandlerType is not { } hook)
        {
            // No application can give a host without the hook a handler of its own: its options take none.
            Assert.False(SdkHasHook);
            Assert.Null(typeof(HttpServerTransportOptions).Assembly.GetType(SdkProbe.SessionMigrationHandlerTypeName));
            return;
        }

        var own = DispatchProxy.Create(hook, typeof(OwnHandler));
        var (host, _) = await StartAsync(McpCompatMode.Auto, services: s => s.AddSingleton(hook, own));
        await using var __ = host;

        Assert.Same(own, HandlerOf(host));
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Name == "SessionMigrationHandlerKept" && r.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task Fleet_AlternatingClient_OneId_DeleteOnOneEndsTheSdksCopyOnTheOther()
    {
        var cache = new FakeDistributedCache(new Microsoft.Extensions.Time.Testing.FakeTimeProvider());
        var channel = new InMemorySessionEndChannel();
        void Shared(IServiceCollection s) => s.AddSingleton<IDistributedCache>(cache).AddSingleton<IMcpSessionEndChannel>(channel);
        await using var a = await McpTestHost.StartAsync(o => o.SessionResumeWindow = Window, services: Shared);
        await using var b = await McpTestHost.StartAsync(o => o.SessionResumeWindow = Window, services: Shared);
        var id = await a.Client.InitializeAsync();
        if (!SdkHasHook)
        {
            // The other instance cannot take the session over: it is a's alone, and ends there.
            Assert.Equal(HttpStatusCode.NotFound, (await b.Client.CallToolAsync(id, "echo", new JsonObject { ["message"] = "hi" })).Status);
            Assert.Equal(HttpStatusCode.OK, (await a.Client.CallToolAsync(id, "echo", new JsonObject { ["message"] = "hi" })).Status);
            Assert.Equal(HttpStatusCode.OK, await a.Client.DeleteAsync(id));
            Assert.Equal(HttpStatusCode.NotFound, await a.Client.PingAsync(id));
            return;
        }

        foreach (var host in new[] { b, a, b })
        {
            Assert.Equal(HttpStatusCode.OK, (await host.Client.CallToolAsync(id, "echo", new JsonObject { ["message"] = "hi" })).Status);
        }

        Assert.Equal(HttpStatusCode.OK, await a.Client.DeleteAsync(id));

        Assert.Equal(1, channel.Published);
        await b.Logs.WaitForAsync(r => r.Id.Name == "SessionEndedByFleet" && r.Message.Contains(id, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, await b.Client.PingAsync(id));
        Assert.Equal(HttpStatusCode.NotFound, await a.Client.PingAsync(id));
    }

    private static async Task<(HttpStatusCode Status, string Body)> SendDeleteAsync(McpTestHost host, string user, string id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, host.Endpoint);
        request.Headers.Add("Mcp-Session-Id", id);
        request.Headers.Add("MCP-Protocol-Version", host.Client.ProtocolVersion);
        request.Headers.Add(TestUserAuthenticationHandler.Header, user);
        using var response = await host.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>An application's own <c>ISessionMigrationHandler</c> that resumes nothing, made at run time for the host's interface.</summary>
#pragma warning disable CA1852 // DispatchProxy derives from this type.
    internal class OwnHandler : DispatchProxy
#pragma warning restore CA1852
    {
        // OnSessionInitializedAsync returns ValueTask, AllowSessionMigrationAsync ValueTask<InitializeRequestParams?>:
        // their defaults are done, the second with no parameters (no resume).
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => Activator.CreateInstance(targetMethod!.ReturnType);
    }
}
