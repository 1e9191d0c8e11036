using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Json;
using McpCompat.Http;
using McpCompat.Probing;
using McpCompat.Resumption;
using McpCompat.Sessions;
using McpCompat.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// Brings back, under its old id, a session <c>MapMcpCompat</c> evicted: from its record, a new transport and server
/// (the SDK's, as for any session) that go through the session's handshake again before the request is handled: the
/// client's <c>initialize</c> (same parameters, same negotiated revision), <c>notifications/initialized</c>, and the
/// logging level the client had set. The same way on every API shape of the SDK, so the server sees exactly what it
/// saw the first time. One resume at a time per id; the others wait and find the session hosted.
/// </summary>
internal sealed class HostedSessionResumer(
    CoreTransportApi api,
    SessionRecordStore records,
    HostedSessionStore store,
    SessionAdmission admission,
    HostedSessionFactory sessions,
    ProtocolRevisions revisions,
    RefusalWriter refusals,
    McpCompatMetrics metrics,
    TimeProvider timeProvider,
    ILogger logger)
{
    private static readonly JsonElement ReplayId = ParseOnce("\"mcpcompat-resume\"");

    // One rebuild per id at a time: the requests that ask for it meanwhile share it and its outcome.
    private readonly ConcurrentDictionary<string, Task<Rebuilt>> _rebuilds = new(StringComparer.Ordinal);

    /// <summary>Gets the store of records sessions resume from.</summary>
    public SessionRecordStore Records => records;

    /// <summary>
    /// Returns the session <paramref name="sessionId"/> names, resumed from its record, with the request counted in; or
    /// answers as for a live session (404 unknown or deleted, 403 another user's, 503 no room) or 503 with
    /// <c>Retry-After</c> when the store did not answer, and returns <see langword="null"/>. Concurrent requests for one
    /// id share one read of the store and one rebuild.
    /// </summary>
    public async ValueTask<HostedSession?> ResumeAsync(HttpContext context, string sessionId)
    {
        RecordLookup lookup;
        try
        {
            lookup = await records.FindAsync(sessionId, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away while it waited.
            return null;
        }

        if (lookup.State == RecordState.Unavailable)
        {
            await refusals.StoreUnavailableAsync(context, records.Settings.Timeout).ConfigureAwait(false);
            return null;
        }

        if (lookup.Record is not { } record)
        {
            await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
            return null;
        }

        if (record.Owner != UserKey.From(context.User))
        {
            await HostedSessionLookup.RefuseOtherUserAsync(context, refusals).ConfigureAwait(false);
            return null;
        }

        if (!revisions.IsSupported(record.ProtocolVersion) || revisions.IsSessionless(record.ProtocolVersion))
        {
            Log.SessionRecordRefused(logger, sessionId, $"it names protocol revision {record.ProtocolVersion}, which this SDK has no session for");
            await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
            return null;
        }

        var attempt = new TaskCompletionSource<Rebuilt>(TaskCreationOptions.RunContinuationsAsynchronously);
        var shared = _rebuilds.GetOrAdd(sessionId, attempt.Task);
        if (ReferenceEquals(shared, attempt.Task))
        {
            _ = RebuildAndShareAsync(sessionId, record, context.User, attempt);
        }

        Rebuilt rebuilt;
        try
        {
            rebuilt = await shared.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return null;
        }

        if (rebuilt.Session is { } session)
        {
            return await HostedSessionLookup.CheckAndEnterAsync(context, session, refusals).ConfigureAwait(false);
        }

        if (rebuilt.NoRoom)
        {
            await admission.RefuseAsync(context).ConfigureAwait(false);
            return null;
        }

        await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
        return null;
    }

    private async Task RebuildAndShareAsync(string sessionId, SessionRecord record, ClaimsPrincipal user, TaskCompletionSource<Rebuilt> attempt)
    {
        Rebuilt rebuilt;
        try
        {
            rebuilt = await RebuildAsync(sessionId, record, user).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.SessionRecordRefused(logger, sessionId, $"rebuilding the session threw {ex.GetType().Name}: {ex.Message}");
            rebuilt = default;
        }
        finally
        {
            _rebuilds.TryRemove(new KeyValuePair<string, Task<Rebuilt>>(sessionId, attempt.Task));
        }

        attempt.SetResult(rebuilt);
    }

    /// <summary>
    /// Rebuilds the session under its old id: a new transport and server, which go through the session's handshake again.
    /// Not tied to the request that asked first: the others wait for it too. A session deleted meanwhile (here, or by the
    /// fleet) is discarded, so a DELETE answered 200 is final even against a rebuild already under way.
    /// </summary>
    private async Task<Rebuilt> RebuildAsync(string sessionId, SessionRecord record, ClaimsPrincipal user)
    {
        if (store.Find(sessionId) is { } live)
        {
            // Resumed by a path that does not share this rebuild: served as a live session.
            return new Rebuilt(live, NoRoom: false);
        }

        if (!await admission.TryAdmitAsync(CancellationToken.None).ConfigureAwait(false))
        {
            return new Rebuilt(null, NoRoom: true);
        }

        if (sessions.Resume(sessionId, record) is not { } session)
        {
            return new Rebuilt(store.Find(sessionId), NoRoom: false);
        }

        string? problem;
        try
        {
            using var replay = new CancellationTokenSource(HostedSessionStore.DisposeWait, timeProvider);
            problem = await ReplayHandshakeAsync(session, record, user, replay.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            problem = session.Tracked.IsGone ? "the session was ended while it was rebuilt" : $"the SDK threw {ex.GetType().Name}: {ex.Message}";
        }

        session.Tracked.Exit(timeProvider.GetTimestamp());

        // Deleted while it was rebuilt: the DELETE remembered the id before it ended the copies it found.
        if (records.Ended.Contains(sessionId))
        {
            await sessions.DiscardAsync(session).ConfigureAwait(false);
            return default;
        }

        if (problem is not null)
        {
            await sessions.DiscardAsync(session).ConfigureAwait(false);
            Log.SessionRecordRefused(logger, sessionId, $"the rebuilt handshake failed: {problem}");
            metrics.SessionResumed(succeeded: false);
            return default;
        }

        records.Resumed(sessionId);
        metrics.SessionResumed(succeeded: true);
        Log.SessionResumed(logger, sessionId, record.ProtocolVersion);
        return new Rebuilt(session, NoRoom: false);
    }

    /// <summary>What a rebuild gave: the session, hosted; no room for it (<see cref="McpCompatOptions.MaxSessions"/>); or nothing (404).</summary>
    private readonly record struct Rebuilt(HostedSession? Session, bool NoRoom);

    /// <summary>Runs the session's handshake again in its new transport; the reason it failed, or <see langword="null"/>.</summary>
    private async Task<string?> ReplayHandshakeAsync(HostedSession session, SessionRecord record, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        using var answer = new MemoryStream();
        var initialize = Message(json =>
        {
            json.WriteString("method", "initialize");
            json.WritePropertyName("params");
            record.WriteInitializeParams(json);
        });
        await api.HandlePostAsync(session.Transport, initialize, user, protocolVersion: null, answer, cancellationToken).ConfigureAwait(false);
        if (!InitializeAnswer.Succeeded(answer.GetBuffer().AsMemory(0, (int)answer.Length), ReplayId, out _, out var negotiated))
        {
            return "the server did not answer initialize with a result";
        }

        if (negotiated != record.ProtocolVersion)
        {
            return $"the server negotiated {negotiated ?? "no revision"} instead of {record.ProtocolVersion}";
        }

        var initialized = Message(static json => json.WriteString("method", "notifications/initialized"), withId: false);
        await api.HandlePostAsync(session.Transport, initialized, user, record.ProtocolVersion, Stream.Null, cancellationToken).ConfigureAwait(false);

        if (record.LoggingLevel is { } level)
        {
            answer.SetLength(0);
            var setLevel = Message(json =>
            {
                json.WriteString("method", "logging/setLevel");
                json.WriteStartObject("params");
                json.WriteString("level", level);
                json.WriteEndObject();
            });
            await api.HandlePostAsync(session.Transport, setLevel, user, record.ProtocolVersion, answer, cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    private static JsonElement ParseOnce(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static PostedMessage Message(Action<Utf8JsonWriter> write, bool withId = true)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("jsonrpc", "2.0");
            if (withId)
            {
                json.WritePropertyName("id");
                ReplayId.WriteTo(json);
            }

            write(json);
            json.WriteEndObject();
        }

        var body = buffer.WrittenMemory.ToArray();
        using var document = JsonDocument.Parse(body);
        return PostedMessage.Read(body, document.RootElement);
    }
}
