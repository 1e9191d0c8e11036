using System.Diagnostics.Metrics;
using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text;
using McpCompat.Resumption;
using McpCompat.Tests.Hosting;
using McpCompat.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using static McpCompat.Tests.Resumption.ResumableTestHost;

namespace McpCompat.Tests.Resumption;

/// <summary>
/// <see cref="McpCompatOptions.SessionResumeWindow"/> on <c>MapMcpCompat</c>, on every SDK version: an evicted session's
/// memory is reclaimed, its record stays in the distributed cache, and its client goes on under the old id, without a
/// new handshake, with the server seeing the same client. Only the owner resumes, a client's DELETE ends it for good,
/// and a record that cannot be used gets 404, never a 500. The cache is a fake on the application's fake clock.
/// </summary>
[Collection(HostingTestTools.Collection)]
public sealed class SessionResumeTests
{
    private static object? Read(object target, string property) =>
        target.GetType().GetProperty(property, BindingFlags.Public | BindingFlags.Instance)?.GetValue(target);

    [Fact]
    public async Task Evicted_ClientComesBack_SameIdNoHandshake_ServerSeesSameClient()
    {
        var (host, cache) = await StartAsync();
        await using var _ = host;
        var id = await host.Client.InitializeAsync();
        var before = host.Store.Find(id)!.Server;
        var clientInfo = Read(before, "ClientInfo");
        var negotiated = Read(before, "NegotiatedProtocolVersion");

        await EvictAllAsync(host);
        Assert.Contains(SessionRecordStore.KeyOf(id), cache.Keys);

        var (status, message, sessionHeader) = await CallEchoAsync(host, id, "after eviction");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("after eviction", (string?)message?["result"]?["content"]?[0]?["text"]);
        Assert.Equal(id, sessionHeader);
        var after = host.Store.Find(id)!.Server;
        Assert.NotSame(before, after);
        Assert.Equal("raw-test-client", Read(Read(after, "ClientInfo")!, "Name"));
        Assert.Equal(Read(clientInfo!, "Version"), Read(Read(after, "ClientInfo")!, "Version"));
        Assert.Equal(negotiated, Read(after, "NegotiatedProtocolVersion"));
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Name == "SessionResumed" && r.Message.Contains(id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task LoggingLevel_TheClientSet_IsSetAgainOnResume()
    {
        var (host, cache) = await StartAsync();
        await using var _ = host;
        var id = await host.Client.InitializeAsync();
        var (setStatus, _) = await host.Client.RequestAsync(id, "logging/setLevel", new JsonObject { ["level"] = "error" });
        Assert.Equal(HttpStatusCode.OK, setStatus);
        var level = Read(host.Store.Find(id)!.Server, "LoggingLevel");
        Assert.Equal("Error", level?.ToString());

        await EvictAllAsync(host);
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));

        Assert.Equal("Error", Read(host.Store.Find(id)!.Server, "LoggingLevel")?.ToString());
        Assert.Contains("\"level\":\"error\"", Encoding.UTF8.GetString(cache.Peek(SessionRecordStore.KeyOf(id))!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStream_OfAnEvictedSession_ResumesIt()
    {
        var (host, _) = await StartAsync();
        await using var __ = host;
        var id = await host.Client.InitializeAsync();
        await EvictAllAsync(host);

        using var stream = await host.Client.OpenGetStreamAsync(id);

        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal(id, Assert.Single(stream.Headers.GetValues("Mcp-Session-Id")));
        Assert.Equal(1, host.Store.Count);
    }

    [Fact]
    public async Task Record_LivesForTheWindow_SlidingFromEvictionAndResume_ThenTheIdIsGone()
    {
        var (host, cache) = await StartAsync();
        await using var _ = host;
        var id = await host.Client.InitializeAsync();
        var key = SessionRecordStore.KeyOf(id);
        Assert.Equal(Window, cache.OptionsOf(key)!.SlidingExpiration);

        // Evicted, then back just before the window closes: the resume slides the window.
        await EvictAllAsync(host);
        host.Time.Advance(Window - TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));

        // Evicted again: the window starts at this eviction, not at the first one.
        await EvictAllAsync(host);
        host.Time.Advance(Window - TimeSpan.FromMinutes(1));
        Assert.NotNull(cache.Peek(key));
        host.Time.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
        Assert.Equal(0, host.Store.Count);
    }

    [Fact]
    public async Task LiveSession_UsedPastHalfItsWindow_RecordWrittenAgain_OncePerHalfWindow()
    {
        var (host, cache) = await StartAsync(configure: o => o.SessionIdleTimeout = TimeSpan.FromHours(2));
        await using var _ = host;
        var id = await host.Client.InitializeAsync();
        var written = cache.Writes;

        host.Time.Advance(Window / 2 - TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));
        Assert.Equal(written, cache.Writes);

        host.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));
        await host.Store.Find(id)!.RecordRefresh.WaitAsync(FakeClock.Bound);
        Assert.Equal(written + 1, cache.Writes);
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));
        Assert.Equal(written + 1, cache.Writes);
    }

    [Fact]
    public async Task ConcurrentRequests_ForAnEvictedSession_ResumeItOnce()
    {
        var (host, _) = await StartAsync();
        await using var __ = host;
        var id = await host.Client.InitializeAsync();
        await EvictAllAsync(host);
        using var resumed = new MetricCollector<long>(host.App.Services.GetRequiredService<IMeterFactory>(), McpCompatTelemetry.MeterName, "mcpcompat.sessions.resumed");

        var statuses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => host.Client.PingAsync(id)));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(1, host.Store.Count);
        var measurement = Assert.Single(resumed.GetMeasurementSnapshot());
        Assert.Equal("resumed", measurement.Tags["mcpcompat.session.resume_result"]);
    }

    [Fact]
    public async Task AnotherUser_GetsWhatALiveSessionAnswers_AndDoesNotResumeIt()
    {
        var (host, _) = await StartAsync(requireAuthorization: true);
        await using var __ = host;
        var alice = host.ClientFor("alice");
        var bob = host.ClientFor("bob");
        var id = await alice.InitializeAsync();
        var live = await bob.RequestAsync(id, "ping");

        await EvictAllAsync(host);
        var evicted = await bob.RequestAsync(id, "ping");
        var deleteByBob = await bob.DeleteAsync(id);

        Assert.Equal(HttpStatusCode.Forbidden, live.Status);
        Assert.Equal(live.Status, evicted.Status);
        Assert.Equal(live.Message?.ToJsonString(), evicted.Message?.ToJsonString());
        Assert.Equal(HttpStatusCode.Forbidden, deleteByBob);
        Assert.Equal(0, host.Store.Count);
        Assert.Equal(HttpStatusCode.OK, await alice.PingAsync(id));
    }

    [Fact]
    public async Task ClientDelete_OfALiveSession_DeletesTheRecord_NoResumeAfter()
    {
        var (host, cache) = await StartAsync();
        await using var _ = host;
        var id = await host.Client.InitializeAsync();

        Assert.Equal(HttpStatusCode.OK, await host.Client.DeleteAsync(id));

        Assert.DoesNotContain(SessionRecordStore.KeyOf(id), cache.Keys);
        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
        Assert.Equal(0, host.Store.Count);
    }

    [Fact]
    public async Task ClientDelete_OfAnEvictedSession_AnswersAsForALiveOne_NoResumeAfter()
    {
        var (host, cache) = await StartAsync();
        await using var _ = host;
        var id = await host.Client.InitializeAsync();
        await EvictAllAsync(host);

        Assert.Equal(HttpStatusCode.OK, await host.Client.DeleteAsync(id));

        Assert.DoesNotContain(SessionRecordStore.KeyOf(id), cache.Keys);
        Assert.Equal(HttpStatusCode.NotFound, await host.Client.PingAsync(id));
        Assert.Equal(HttpStatusCode.NotFound, await host.Client.DeleteAsync(id));
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Message, string? SessionId)> CallEchoAsync(CompatTestHost host, string id, string text)
    {
        using var response = await host.Client.SendRequestAsync(id, "tools/call", new JsonObject { ["name"] = "echo", ["arguments"] = new JsonObject { ["message"] = text } });
        var body = await response.Content.ReadAsStringAsync();
        var header = response.Headers.TryGetValues("Mcp-Session-Id", out var values) ? values.Single() : null;
        return (response.StatusCode, RawMcpClient.ReadMessage(body), header);
    }
}
