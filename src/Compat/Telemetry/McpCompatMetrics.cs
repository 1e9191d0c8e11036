using System.Diagnostics.Metrics;
using McpCompat.Decision;
using McpCompat.Resumption;
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
    private readonly Counter<long> _recordsDropped;
    private readonly Counter<long> _storeFailures;
    private Func<long>? _records;

    public McpCompatMetrics(IMeterFactory meterFactory, IMetricsSource source)
    {
        _meter = meterFactory.Create(McpCompatTelemetry.MeterName);
        _meter.CreateObservableUpDownCounter(
            "mcpcompat.sessions.live",
            () => Tracked(source.LiveSessions),
            unit: "{session}",
            description: "Sessions McpCompat tracks: live, active or idle (not reported on the native path).");
        _meter.CreateObservableUpDownCounter(
            "mcpcompat.sessions.idle",
            () => Tracked(source.IdleSessions),
            unit: "{session}",
            description: "Tracked sessions with no request in flight (not reported on the native path).");
        _meter.CreateObservableGauge(
            "mcpcompat.path",
            () => new Measurement<int>(1, new KeyValuePair<string, object?>("mcpcompat.path", source.PathName)),
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
        _meter.CreateObservableUpDownCounter(
            "mcpcompat.session.records",
            () => Volatile.Read(ref _records) is { } records ? [new Measurement<long>(records())] : (IEnumerable<Measurement<long>>)[],
            unit: "{record}",
            description: "Records of resumable sessions this instance keeps in the distributed cache, counted against McpCompat:MaxSessionRecords (reported only where sessions resume).");
        _recordsDropped = _meter.CreateCounter<long>(
            "mcpcompat.session.records.dropped",
            unit: "{record}",
            description: "Sessions that lost their record, or never got one, so cannot resume once evicted, by mcpcompat.session.record.drop_reason (too_large, max_records, lost).");
        _storeFailures = _meter.CreateCounter<long>(
            "mcpcompat.session_store.failures",
            unit: "{operation}",
            description: "Calls on the distributed cache of session records that failed, did not answer within McpCompat:SessionStoreTimeout, or were not tried because it had failed within that time, by mcpcompat.session_store.operation (read, write, delete) and error.type (timeout, resting, or the exception's type).");
        _resumed = _meter.CreateCounter<long>(
            "mcpcompat.sessions.resumed",
            unit: "{session}",
            description: "Evicted sessions rebuilt from their record under their old id, by mcpcompat.session.resume_result (resumed, failed).");
    }

    /// <summary>Counts one evicted session that came back from its record, or failed to.</summary>
    public void SessionResumed(bool succeeded) =>
        _resumed.Add(1, new KeyValuePair<string, object?>("mcpcompat.session.resume_result", succeeded ? "resumed" : "failed"));

    /// <summary>Reports what <paramref name="count"/> returns as <c>mcpcompat.session.records</c>.</summary>
    public void ObserveRecords(Func<long> count) => Volatile.Write(ref _records, count);

    /// <summary>Counts one session whose record was dropped or never written, by why (<c>too_large</c>, <c>max_records</c>, <c>lost</c>).</summary>
    public void SessionRecordDropped(string reason) =>
        _recordsDropped.Add(1, new KeyValuePair<string, object?>("mcpcompat.session.record.drop_reason", reason));

    /// <summary>Counts one call on the store of session records (<c>read</c>, <c>write</c>, <c>delete</c>) that failed or timed out.</summary>
    public void SessionStoreFailed(string operation, string errorType) =>
        _storeFailures.Add(
            1,
            new KeyValuePair<string, object?>("mcpcompat.session_store.operation", operation),
            new KeyValuePair<string, object?>("error.type", errorType));

    /// <summary>Counts one session that ended, tagged with why.</summary>
    public void SessionEnded(string reason) =>
        _ended.Add(1, new KeyValuePair<string, object?>("mcpcompat.session.end_reason", reason));

    /// <summary>Records one sweep's duration.</summary>
    public void SweepCompleted(TimeSpan duration) => _sweepDuration.Record(duration.TotalSeconds);

    public void Dispose() => _meter.Dispose();

    private static IEnumerable<Measurement<long>> Tracked(long? value) =>
        value is { } tracked ? [new Measurement<long>(tracked)] : [];
}
