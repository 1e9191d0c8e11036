using System.Net;
using McpCompat.MapMcpCompat;
using McpCompat.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace McpCompat.Tests.Hosting;

/// <summary>MapMcpCompat stopping with calls in flight: each is answered or ended cleanly before the host gives up on it.</summary>
[Collection(HostingTestTools.Collection)]
public sealed class HostedSessionShutdownServiceTests
{
    // The host's shutdown timeout, on the real clock: a call still running when it runs out has its connection reset.
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(20);

    // An upper bound on the real clock, well under the shutdown timeout; no timing claim beyond it.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("00:00:30", "00:00:28")]
    [InlineData("00:00:05", "00:00:04")]
    [InlineData("00:00:01", "00:00:00.8")]
    [InlineData("00:00:00", "00:00:00")]
    public void Grace_ShutdownTimeoutLessAMargin(string shutdownTimeout, string grace) =>
        Assert.Equal(TimeSpan.Parse(grace, System.Globalization.CultureInfo.InvariantCulture), HostedSessionShutdownService.Grace(TimeSpan.Parse(shutdownTimeout, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void Grace_HostWaitsForever_CallsAreNeverCut() =>
        Assert.Null(HostedSessionShutdownService.Grace(Timeout.InfiniteTimeSpan));

    [Fact]
    public async Task HundredCallsInFlight_ApplicationStops_CallsKeptThroughTheGraceThenEachEndedCleanly_HostStopsInTime()
    {
        HostingTestTools.Reset();
        await using var host = await CompatTestHost.StartAsync(services: s => s.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout));
        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add(await host.Client.InitializeAsync());
        }

        var calls = ids.SelectMany(id => Enumerable.Range(0, 10).Select(_ => host.Client.CallToolAsync(id, "wait"))).ToArray();
        await HostingTestTools.EnteredAsync(100).WaitAsync(Bound);

        var stopping = host.App.StopAsync();
        // The grace's timer is created before this record is written.
        await host.Logs.WaitForAsync(r => r.Id.Name == "ShutdownGrace");
        var grace = HostedSessionShutdownService.Grace(ShutdownTimeout)!.Value;

        // Within the grace, no call is cut.
        host.Time.Advance(grace - TimeSpan.FromMilliseconds(1));
        Assert.DoesNotContain(calls, c => c.IsCompleted);
        Assert.Equal(10, host.Store.Count);

        host.Time.Advance(TimeSpan.FromMilliseconds(1));
        var answers = await Task.WhenAll(calls).WaitAsync(Bound);
        foreach (var (status, message) in answers)
        {
            // Nothing sent yet: 404. An answer under way: its last event, an error for the call's id.
            Assert.True(status is HttpStatusCode.NotFound or HttpStatusCode.OK, $"unexpected {(int)status}");
            Assert.Equal(-32001, (int?)message?["error"]?["code"]);
        }

        await stopping.WaitAsync(Bound);
        Assert.Equal(0, host.Store.Count);
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Name == "ShutdownEndingCalls");
        host.Logs.AssertNothingUnhandled(allowCancelledTools: true);
    }

    [Fact]
    public async Task CallDeafToCancellation_ApplicationStops_EndedCleanlyAfterTheGrace_HostStopsInTime()
    {
        HostingTestTools.Reset();
        await using var host = await CompatTestHost.StartAsync(services: s => s.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout));
        var id = await host.Client.InitializeAsync();
        var call = host.Client.CallToolAsync(id, "stubborn");
        await HostingTestTools.Entered.WaitAsync(Bound);

        var stopping = host.App.StopAsync();
        // The grace's timer is created before this record is written.
        await host.Logs.WaitForAsync(r => r.Id.Name == "ShutdownGrace");
        host.Time.Advance(HostedSessionShutdownService.Grace(ShutdownTimeout)!.Value);

        var (status, message) = await call.WaitAsync(Bound);
        Assert.True(status is HttpStatusCode.NotFound or HttpStatusCode.OK, $"unexpected {(int)status}");
        Assert.Equal(-32001, (int?)message?["error"]?["code"]);
        await stopping.WaitAsync(Bound);
        host.Logs.AssertNothingUnhandled();
    }

    [Fact]
    public async Task CallsFinishWithinTheGrace_AnsweredNormally_NothingEndedEarly()
    {
        HostingTestTools.Reset();
        await using var host = await CompatTestHost.StartAsync(services: s => s.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout));
        var id = await host.Client.InitializeAsync();
        var calls = Enumerable.Range(0, 10).Select(_ => host.Client.CallToolAsync(id, "wait")).ToArray();
        await HostingTestTools.EnteredAsync(10).WaitAsync(Bound);

        var stopping = host.App.StopAsync();
        // The grace's timer is created before this record is written.
        await host.Logs.WaitForAsync(r => r.Id.Name == "ShutdownGrace");
        HostingTestTools.ReleaseAll();

        foreach (var (status, message) in await Task.WhenAll(calls).WaitAsync(Bound))
        {
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("released", (string?)message?["result"]?["content"]?[0]?["text"]);
        }

        await stopping.WaitAsync(Bound);
        Assert.DoesNotContain(host.Logs.GetSnapshot(), r => r.Id.Name == "ShutdownEndingCalls");
        host.Logs.AssertNothingUnhandled();
    }
}
