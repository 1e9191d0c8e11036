using System.Diagnostics.Metrics;
using McpCompat.Sessions;

namespace McpCompat.Telemetry;

/// <summary>
/// McpCompat's instruments on the meter <see cref="McpCompatTelemetry.MeterName"/>. Session gauges report only the
/// sessions McpCompat tracks itself (fallback path, <c>MapMcpCompat</c>); on the native path the SDK holds its sessions
/// out of sight and the gauges report nothing rather than a misleading zero.
/// </summary>
internal sealed class McpCompatMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly Counter<long> _ended;
    private readonly Histogram<double> _sweepDuration;
    private readonly Counter<long> _resumed;

    public McpCompatMetrics(IMeterFactory meterFactory, SessionTracker tracker, McpCompatRuntime runtime)
    {
        _meter = meterFactory.Create(McpCompatTelemetry.MeterName);
        _meter.CreateObservableUpDownCounter(
            "mcpcompat.sessions.live",
            () => Tracked(runtime, tracker.Count),
            unit: "{session}",
            description: "Sessions McpCompat tracks: live, active or idle (not reported on the native path).");
        _meter.CreateObservableUpDownCounter(
            "mcpcompat.sessions.idle",
            () => Tracked(runtime, tracker.IdleCount),
            unit: "{session}",
            description: "Tracked sessions with no request in flight (not reported on the native path).");
        _meter.CreateObservableGauge(
            "mcpcompat.path",
            () => new Measurement<int>(1, new KeyValuePair<string, object?>("mcpcompat.path", runtime.PathName)),
            unit: "{path}",
            description: "The path McpCompat took at startup, as the tag mcpcompat.path (value always 1).");
        _ended = _meter.CreateCounter<long>(
            "mcpcompat.sessions.ended",
            unit: "{session}",
            description: "Sessions McpCompat ended or saw end, by mcpcompat.session.end_reason.");
        _sweepDuration = _meter.CreateHistogram<double>(
            "mcpcompat.sweep.duration",
            unit: "s",
            description: "Duration of a sweep: finding what is due and ending it (each eviction's wait is bounded).");
        _resumed = _meter.CreateCounter<long>(
            "mcpcompat.sessions.resumed",
            unit: "{session}",
            description: "Evicted sessions rebuilt from their record under their old id, by mcpcompat.session.resume_result (resumed, failed).");
    }

    /// <summary>Counts one evicted session that came back from its record, or failed to.</summary>
    public void SessionResumed(bool succeeded) =>
        _resumed.Add(1, new KeyValuePair<string, object?>("mcpcompat.session.resume_result", succeeded ? "resumed" : "failed"));

    /// <summary>Counts one session that ended, tagged with why.</summary>
    public void SessionEnded(EvictionReason reason) =>
        _ended.Add(1, new KeyValuePair<string, object?>("mcpcompat.session.end_reason", ReasonName(reason)));

    /// <summary>Records one sweep's duration.</summary>
    public void SweepCompleted(TimeSpan duration) => _sweepDuration.Record(duration.TotalSeconds);

    public void Dispose() => _meter.Dispose();

    private static IEnumerable<Measurement<long>> Tracked(McpCompatRuntime runtime, long value) =>
        runtime.SweeperNeeded ? [new Measurement<long>(value)] : [];

    internal static string ReasonName(EvictionReason reason) => reason switch
    {
        EvictionReason.IdleTimeout => "idle_timeout",
        EvictionReason.MaxIdleSessions => "max_idle_sessions",
        EvictionReason.MaxSessions => "max_sessions",
        EvictionReason.Shutdown => "shutdown",
        EvictionReason.Deleted => "deleted",
        _ => "other",
    };
}
