using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace McpCompat.Tests.AspNetCore;

/// <summary>McpCompat's meter in front of the SDK's own host: what each path can honestly report.</summary>
public sealed class MetricsPathTests
{
    private static MetricCollector<T> Collect<T>(McpTestHost host, string instrument)
        where T : struct =>
        new(host.App.Services.GetRequiredService<IMeterFactory>(), McpCompatTelemetry.MeterName, instrument);

    [Fact]
    public async Task Fallback_ReportsPathAndTrackedSessions()
    {
        await using var host = await McpTestHost.StartAsync(o => o.Mode = McpCompatMode.Fallback);
        using var path = Collect<int>(host, "mcpcompat.path");
        using var live = Collect<long>(host, "mcpcompat.sessions.live");
        await host.Client.InitializeAsync();

        path.RecordObservableInstruments();
        live.RecordObservableInstruments();

        Assert.Equal("fallback", Assert.Single(path.GetMeasurementSnapshot()).Tags["mcpcompat.path"]);
        Assert.Equal(1, live.LastMeasurement?.Value);
    }

    [Fact]
    public async Task Native_ReportsPath_NoSessionGauges()
    {
        await using var host = await McpTestHost.StartAsync(o => o.Mode = McpCompatMode.Native);
        using var path = Collect<int>(host, "mcpcompat.path");
        using var live = Collect<long>(host, "mcpcompat.sessions.live");
        await host.Client.InitializeAsync();

        path.RecordObservableInstruments();
        live.RecordObservableInstruments();

        // The SDK holds its sessions out of McpCompat's sight: no measurement rather than a misleading zero.
        Assert.Equal("native", Assert.Single(path.GetMeasurementSnapshot()).Tags["mcpcompat.path"]);
        Assert.Empty(live.GetMeasurementSnapshot());
    }
}
