using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using McpCompat.Resumption;
using McpCompat.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace McpCompat.Hosting;

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

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    /// <summary>Gets the store of records sessions resume from.</summary>
    public SessionRecordStore Records => records;

    /// <summary>
    /// Returns the session <paramref name="sessionId"/> names, resumed from its record, with the request counted in; or
    /// answers as for a live session (404 unknown, 403 another user's, 503 no room) and returns <see langword="null"/>.
    /// </summary>
    public async ValueTask<HostedSession?> ResumeAsync(HttpContext context, string sessionId)
    {
        if (!SessionRecordStore.IsPlausibleId(sessionId))
        {
            await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
            return null;
        }

        var gate = _gates.GetOrAdd(sessionId, static _ => new SemaphoreSlim(1, 1));
        try
        {
            await gate.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }

        try
        {
            // Resumed while this request waited: it is served like any request of a live session.
            if (store.Find(sessionId) is { } resumed)
            {
                return await HostedSessionLookup.CheckAndEnterAsync(context, resumed, refusals).ConfigureAwait(false);
            }

            return await RebuildAsync(context, sessionId).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
            _gates.TryRemove(new KeyValuePair<string, SemaphoreSlim>(sessionId, gate));
        }
    }

    private async ValueTask<HostedSession?> RebuildAsync(HttpContext context, string sessionId)
    {
        if (await records.FindAsync(sessionId, context.RequestAborted).ConfigureAwait(false) is not { } record)
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

        if (!await admission.AdmitAsync(context).ConfigureAwait(false))
        {
            return null;
        }

        if (sessions.Resume(context, sessionId, record) is not { } session)
        {
            // Hosted meanwhile by a path that does not take the gate: served as a live session.
            return store.Find(sessionId) is { } live ? await HostedSessionLookup.CheckAndEnterAsync(context, live, refusals).ConfigureAwait(false) : null;
        }

        string? problem;
        try
        {
            problem = await ReplayHandshakeAsync(context, session, record).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            problem = context.RequestAborted.IsCancellationRequested ? "the client went away" : $"the SDK threw {ex.GetType().Name}: {ex.Message}";
        }

        if (problem is not null)
        {
            session.Tracked.Exit(timeProvider.GetTimestamp());
            await sessions.DiscardAsync(session).ConfigureAwait(false);
            Log.SessionRecordRefused(logger, sessionId, $"the rebuilt handshake failed: {problem}");
            metrics.SessionResumed(succeeded: false);
            if (!context.RequestAborted.IsCancellationRequested)
            {
                await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
            }

            return null;
        }

        metrics.SessionResumed(succeeded: true);
        Log.SessionResumed(logger, sessionId, record.ProtocolVersion);
        return session;
    }

    /// <summary>Runs the session's handshake again in its new transport; the reason it failed, or <see langword="null"/>.</summary>
    private async Task<string?> ReplayHandshakeAsync(HttpContext context, HostedSession session, SessionRecord record)
    {
        using var answer = new MemoryStream();
        var initialize = Message(json =>
        {
            json.WriteString("method", "initialize");
            json.WritePropertyName("params");
            record.WriteInitializeParams(json);
        });
        await api.HandlePostAsync(session.Transport, initialize, context.User, protocolVersion: null, answer, context.RequestAborted).ConfigureAwait(false);
        if (!InitializeAnswer.Succeeded(answer.GetBuffer().AsMemory(0, (int)answer.Length), ReplayId, out _, out var negotiated))
        {
            return "the server did not answer initialize with a result";
        }

        if (negotiated != record.ProtocolVersion)
        {
            return $"the server negotiated {negotiated ?? "no revision"} instead of {record.ProtocolVersion}";
        }

        var initialized = Message(static json => json.WriteString("method", "notifications/initialized"), withId: false);
        await api.HandlePostAsync(session.Transport, initialized, context.User, record.ProtocolVersion, Stream.Null, context.RequestAborted).ConfigureAwait(false);

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
            await api.HandlePostAsync(session.Transport, setLevel, context.User, record.ProtocolVersion, answer, context.RequestAborted).ConfigureAwait(false);
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
