using System.Net;
using System.Text.Json;
using McpCompat.Cli;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace McpCompat.Gateway.Tests;

/// <summary>
/// What the gateway learns of its upstreams on the wire (serverInfo, revisions, whether they end sessions themselves and
/// honour DELETE), in its log, its health check, its report and <c>mcpcompat probe --gateway</c>.
/// </summary>
[Collection(GatewayTests.Collection)]
public sealed class GatewayUpstreamReportTests
{
    [Fact]
    public async Task Started_LooksAtEachUpstream_LogsServerInfoRevisionAndDelete()
    {
        await using var host = await GatewayHost.StartAsync();

        var line = await DetectedAsync(host);
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Contains(host.Upstream.Endpoint.ToString(), line.Message, StringComparison.Ordinal);
        // The C# SDK's host names itself after its assembly (testhost here) and honours DELETE.
        var facts = host.Sessions.Find(await host.Client.InitializeAsync())!.Upstream.Facts!;
        Assert.NotNull(facts.ServerName);
        Assert.Contains(facts.Server, line.Message, StringComparison.Ordinal);
        Assert.True(facts.Sessions);
        Assert.Equal(200, facts.DeleteStatus);
        Assert.Contains("it honours DELETE (200)", line.Message, StringComparison.Ordinal);
        Assert.Contains($"protocol revision {facts.Revision}", line.Message, StringComparison.Ordinal);
        // Its own session, ended: nothing of the look stays upstream or counts as a client's.
        Assert.Equal(["POST", "DELETE"], host.Upstream.ProbeRequests);
        Assert.Equal(1, host.Upstream.Count("initialize"));
    }

    [Fact]
    public async Task UpstreamDown_WarnedOnce_HealthDegradedNamingIt()
    {
        var port = FreePort();
        await using var host = await GatewayHost.StartAsync(upstreamEndpoints: [new Uri($"http://127.0.0.1:{port}/mcp")]);

        var warning = await WaitForAsync(host, "UpstreamUnreachable");
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains($"127.0.0.1:{port}", warning.Message, StringComparison.Ordinal);

        var health = await host.App.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Contains("could not be reached", health.Entries["mcpcompat-gateway"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpstreamAsksCredentials_SaidOnce_HealthyAndReported()
    {
        await using var upstream = await Upstream.StartAsync(requiredAuthorization: "Bearer one");
        await using var host = await GatewayHost.StartAsync(upstreams: [upstream]);

        var line = await WaitForAsync(host, "UpstreamAsksCredentials");
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Contains("answered the gateway's look with 401", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Logs.GetSnapshot(), r => r.Id.Name == "UpstreamUnreachable");
        var entry = (await host.App.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["mcpcompat-gateway"];
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.StartsWith("asks for credentials (401), not looked at", (string)entry.Data[$"upstream {upstream.Endpoint.AbsoluteUri}"], StringComparison.Ordinal);
        // Clients with the credentials are served all the same.
        var client = host.ClientWith("Authorization", "Bearer one");
        Assert.Equal(HttpStatusCode.OK, (await client.RequestAsync(await client.InitializeAsync(), "ping")).Status);
        var table = new StringWriter();
        Assert.Equal(0, await Task.Run(() => ProbeCommand.Run(["probe", "--gateway", host.Endpoint.ToString()], table, new StringWriter(), Environment.CurrentDirectory)));
        Assert.Contains("asks for credentials (401): the gateway's look carries none", table.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_HealthyWithWhatEachUpstreamIs()
    {
        await using var host = await GatewayHost.StartAsync();
        await DetectedAsync(host);
        var id = await host.Client.InitializeAsync();
        Assert.Equal(HttpStatusCode.OK, (await host.Client.RequestAsync(id, "ping")).Status);

        var health = await host.App.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = health.Entries["mcpcompat-gateway"];
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal(1, entry.Data["sessions"]);
        var upstream = (string)entry.Data[$"upstream {host.Upstream.Endpoint.AbsoluteUri}"];
        Assert.Contains("1 sessions", upstream, StringComparison.Ordinal);
        // The revision the gateway's own look agreed to, then the one the client's requests name.
        Assert.Contains($"revisions: {host.Sessions.Find(id)!.Upstream.Facts!.Revision}, {McpClient.ProtocolVersion}", upstream, StringComparison.Ordinal);
        Assert.Contains("DELETE: honoured", upstream, StringComparison.Ordinal);
        Assert.Contains("ends sessions itself: not seen", upstream, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_RecordsNearMaxSessionRecords_DegradedNamingTheSetting()
    {
        var cache = new Microsoft.Extensions.Caching.Distributed.MemoryDistributedCache(
            Microsoft.Extensions.Options.Options.Create(new Microsoft.Extensions.Caching.Memory.MemoryDistributedCacheOptions()));
        await using var host = await GatewayHost.StartAsync(o => o.MaxSessionRecords = 2, cache: cache);
        await DetectedAsync(host);
        await host.Client.InitializeAsync();
        var service = host.App.Services.GetRequiredService<HealthCheckService>();
        Assert.Equal(HealthStatus.Healthy, (await service.CheckHealthAsync()).Status);

        await host.Client.InitializeAsync();
        var entry = (await service.CheckHealthAsync()).Entries["mcpcompat-gateway"];

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("2 session records kept", entry.Description, StringComparison.Ordinal);
        Assert.Contains("or more of McpCompat:MaxSessionRecords = 2", entry.Description, StringComparison.Ordinal);
        Assert.Equal(2, entry.Data["sessionRecords"]);
        Assert.Equal(2, entry.Data["maxSessionRecords"]);
    }

    [Fact]
    public async Task UpstreamLostALiveSession_ReportedAsEndingSessionsItself_LoggedOnce()
    {
        await using var host = await GatewayHost.StartAsync();
        await DetectedAsync(host);
        var id = await host.Client.InitializeAsync();
        Assert.False(host.Sessions.Find(id)!.Upstream.ForgotSessions);

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await host.Direct.DeleteAsync(host.Sessions.Find(id)!.UpstreamId));
            Assert.Equal(HttpStatusCode.OK, (await host.Client.RequestAsync(id, "ping")).Status);
        }

        Assert.True(host.Sessions.Find(id)!.Upstream.ForgotSessions);
        Assert.Single(host.Logs.GetSnapshot(), r => r.Id.Name == "UpstreamEndsSessions");
    }

    [Fact]
    public async Task Report_AnsweredToTheGatewaysMachine_NotToOthers()
    {
        await using var host = await GatewayHost.StartAsync();
        await DetectedAsync(host);

        using var local = new HttpRequestMessage(HttpMethod.Get, host.Endpoint);
        local.Headers.Accept.ParseAdd(GatewayReport.MediaType);
        using var answer = await host.Http.SendAsync(local);
        using var remote = new HttpRequestMessage(HttpMethod.Get, host.Endpoint);
        remote.Headers.Accept.ParseAdd(GatewayReport.MediaType);
        remote.Headers.Add(GatewayHost.RemoteAddressHeader, "203.0.113.9");
        using var refused = await host.Http.SendAsync(remote);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        using var report = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        var upstream = report.RootElement.GetProperty("routes")[0].GetProperty("upstreams")[0];
        Assert.Equal(host.Upstream.Endpoint.AbsoluteUri, upstream.GetProperty("endpoint").GetString());
        Assert.True(upstream.GetProperty("honoursDelete").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.DoesNotContain(host.Upstream.Endpoint.AbsoluteUri, await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProbeGateway_PrintsWhatTheGatewayLearned_TableAndJson()
    {
        await using var host = await GatewayHost.StartAsync();
        await DetectedAsync(host);
        var facts = host.Sessions.Find(await host.Client.InitializeAsync())!.Upstream.Facts!;

        var table = new StringWriter();
        var tableErrors = new StringWriter();
        var tableExit = await Task.Run(() => ProbeCommand.Run(["probe", "--gateway", host.Endpoint.ToString()], table, tableErrors, Environment.CurrentDirectory));
        var json = new StringWriter();
        var jsonExit = await Task.Run(() => ProbeCommand.Run(["probe", "--json", "--gateway", host.Endpoint.ToString()], json, new StringWriter(), Environment.CurrentDirectory));

        Assert.True(tableExit == ProbeCommand.Success, tableErrors.ToString());
        Assert.Contains($"upstream {host.Upstream.Endpoint.AbsoluteUri}", table.ToString(), StringComparison.Ordinal);
        Assert.Contains($"{facts.ServerName} {facts.ServerVersion}", table.ToString(), StringComparison.Ordinal);
        Assert.Contains("honoured (200)", table.ToString(), StringComparison.Ordinal);
        Assert.Contains("sessions 1 of", table.ToString(), StringComparison.Ordinal);
        Assert.Equal(ProbeCommand.Success, jsonExit);
        using var report = JsonDocument.Parse(json.ToString());
        Assert.Equal("McpCompat Gateway", report.RootElement.GetProperty("gateway").GetString());
    }

    [Fact]
    public async Task ProbeGateway_NotAGateway_Or_Unreachable_Exit1NamingIt()
    {
        await using var upstream = await Upstream.StartAsync();
        var notGateway = new StringWriter();
        var unreachable = new StringWriter();

        var notGatewayExit = await Task.Run(() => ProbeCommand.Run(["probe", "--gateway", upstream.Endpoint.ToString()], new StringWriter(), notGateway, Environment.CurrentDirectory));
        var unreachableExit = await Task.Run(() => ProbeCommand.Run(["probe", "--gateway", $"http://127.0.0.1:{FreePort()}/mcp"], new StringWriter(), unreachable, Environment.CurrentDirectory));
        var badExit = ProbeCommand.Run(["probe", "--gateway", "not a url"], new StringWriter(), new StringWriter(), Environment.CurrentDirectory);

        Assert.Equal(ProbeCommand.NothingToProbe, notGatewayExit);
        Assert.Contains("not McpCompat Gateway's report", notGateway.ToString(), StringComparison.Ordinal);
        Assert.Equal(ProbeCommand.NothingToProbe, unreachableExit);
        Assert.Contains("could not reach", unreachable.ToString(), StringComparison.Ordinal);
        Assert.Equal(ProbeCommand.BadArguments, badExit);
    }

    private static async Task<Microsoft.Extensions.Logging.Testing.FakeLogRecord> DetectedAsync(GatewayHost host) => await WaitForAsync(host, "UpstreamDetected");

    private static async Task<Microsoft.Extensions.Logging.Testing.FakeLogRecord> WaitForAsync(GatewayHost host, string eventName)
    {
        // The look runs in the background once the host has started: bounded, so a look that never ends fails here.
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (host.Logs.GetSnapshot().FirstOrDefault(r => r.Id.Name == eventName) is { } record)
            {
                return record;
            }

            await Task.Delay(20, bound.Token);
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
