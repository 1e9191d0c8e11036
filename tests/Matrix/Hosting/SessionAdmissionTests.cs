using System.Net;
using McpCompat.MapMcpCompat;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;

namespace McpCompat.Tests.Hosting;

/// <summary>MapMcpCompat's <c>MaxSessions</c> under concurrent initializes, on every SDK version.</summary>
[Collection(HostingTestTools.Collection)]
public sealed class SessionAdmissionTests
{
    private const int Cap = 5;
    private const string Initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""";

    [Fact]
    public async Task MaxSessions_ConcurrentInitializes_NeverExceeded()
    {
        // The store's size is read at every log record, among them each session's start (before any other can end):
        // a session admitted past the limit shows there, however short-lived.
        HostedSessionStore? store = null;
        var largest = 0;
        await using var host = await CompatTestHost.StartAsync(
            o => o.MaxSessions = Cap,
            services: s => s.Configure<FakeLogCollectorOptions>(o => o.OutputSink = line =>
            {
                if (store is { } hosted)
                {
                    InterlockedMax(ref largest, hosted.Count);
                }
            }));
        store = host.Store;

        // Every session but one stays active (an open GET stream each): 200 initializes at once, on as many connections,
        // race for the last room, round after round.
        var streams = new List<HttpResponseMessage>();
        for (var i = 0; i < Cap - 1; i++)
        {
            streams.Add(await host.Client.OpenGetStreamAsync(await host.Client.InitializeAsync()));
        }

        var ok = 0;
        for (var round = 0; round < 3; round++)
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => MapMcpCompatTests.SendAsync(host, HttpMethod.Post, Initialize)));
            foreach (var (status, body, response) in answers)
            {
                Assert.True(status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{(int)status}: {body}");
                if (status == HttpStatusCode.OK)
                {
                    ok++;
                }
                else
                {
                    Assert.NotNull(response.Headers.RetryAfter);
                }

                response.Dispose();
            }

            Assert.True(host.Store.Count <= Cap, $"{host.Store.Count} sessions after round {round}");
        }

        Assert.True(ok > 0, "no initialize was admitted");
        Assert.True(largest >= Cap - 1, $"the store's size was not sampled ({largest})");
        Assert.True(largest <= Cap, $"{largest} sessions at once (MaxSessions = {Cap})");
        streams.ForEach(s => s.Dispose());
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
        {
            current = seen;
        }
    }
}
