using System.Text.Json;
using McpCompat.Http;
using McpCompat.Probing;
using McpCompat.Resumption;
using McpCompat.Streams;
using Microsoft.AspNetCore.Http;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// Serves a POST: one JSON-RPC message for a session, answered by the SDK's transport (as an SSE stream). An
/// <c>initialize</c> request without a session id starts a session, once admitted, and keeps it once the transport has
/// answered with an initialize result.
/// </summary>
internal sealed class PostRequestHandler(
    CoreTransportApi api,
    RequestValidator validator,
    RequestBodyReader bodyReader,
    SessionAdmission admission,
    HostedSessionFactory sessions,
    HostedSessionLookup lookup,
    RefusalWriter refusals,
    ProtocolRevisions revisions,
    SessionlessPostHandler? sessionless,
    KeepAliveScheduler keepAlives,
    TimeProvider timeProvider,
    SessionRecordStore? records)
{
    private static readonly string[] LoggingLevels = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];

    public async Task HandleAsync(HttpContext context)
    {
        if (!await validator.CheckPostMediaTypesAsync(context).ConfigureAwait(false))
        {
            return;
        }

        // A request that may be initialize is read before its MCP-Protocol-Version is checked: the handshake negotiates
        // the revision in its body, whatever a client that speaks newer ones puts in the header.
        var header = context.Request.Headers[McpHeaders.ProtocolVersion].ToString();
        if (context.Request.Headers[McpHeaders.SessionId].ToString().Length == 0 && !revisions.IsSessionless(header))
        {
            await StartSessionAsync(context, header).ConfigureAwait(false);
            return;
        }

        if (await validator.CheckProtocolVersionAsync(context).ConfigureAwait(false) is not { } protocolVersion)
        {
            return;
        }

        if (sessionless is not null && revisions.IsSessionless(protocolVersion))
        {
            // No session in this revision, whatever Mcp-Session-Id says: the request is answered on its own.
            if (await ReadMessageAsync(context).ConfigureAwait(false) is { } message)
            {
                await sessionless.HandleAsync(context, message, protocolVersion).ConfigureAwait(false);
            }

            return;
        }

        var sessionId = context.Request.Headers[McpHeaders.SessionId].ToString();

        // The request is in flight from its arrival, before its body is read: a session whose client is still
        // uploading is active. Counted out however the request ends.
        if (await lookup.EnterAsync(context, sessionId).ConfigureAwait(false) is not { } session)
        {
            return;
        }

        try
        {
            if (await ReadMessageAsync(context).ConfigureAwait(false) is { } message &&
                (sessionless is null || !await sessionless.RefuseMismatchedMetaAsync(context, message, protocolVersion, revisions).ConfigureAwait(false)))
            {
                await SendAsync(context, session, message, protocolVersion).ConfigureAwait(false);
            }
        }
        finally
        {
            session.Tracked.Exit(timeProvider.GetTimestamp());
        }
    }

    private async Task StartSessionAsync(HttpContext context, string protocolVersion)
    {
        if (await ReadMessageAsync(context).ConfigureAwait(false) is not { } message ||
            (sessionless is not null && await sessionless.RefuseMismatchedMetaAsync(context, message, protocolVersion, revisions).ConfigureAwait(false)))
        {
            return;
        }

        if (!message.IsInitialize)
        {
            if (await validator.CheckProtocolVersionAsync(context, message.Id).ConfigureAwait(false) is null)
            {
                return;
            }

            await refusals.RefuseAsync(context, StatusCodes.Status400BadRequest, "Bad Request: an Mcp-Session-Id header is required for every request but initialize").ConfigureAwait(false);
            return;
        }

        if (message.InitializeFault is { } fault)
        {
            await refusals.WriteAsync(context, StatusCodes.Status400BadRequest, JsonRpcErrorCodes.InvalidRequest, $"Invalid Request: {fault}").ConfigureAwait(false);
            return;
        }

        if (!await admission.AdmitAsync(context).ConfigureAwait(false))
        {
            return;
        }

        // A revision the SDK does not know is not handed to it: the handshake's body negotiates.
        protocolVersion = revisions.IsSupported(protocolVersion) ? protocolVersion : string.Empty;
        var session = sessions.Start(context);
        try
        {
            await InitializeAsync(context, session, message, protocolVersion).ConfigureAwait(false);
        }
        finally
        {
            session.Tracked.Exit(timeProvider.GetTimestamp());
        }
    }

    private async ValueTask<PostedMessage?> ReadMessageAsync(HttpContext context) =>
        await bodyReader.ReadAsync(context).ConfigureAwait(false) is { } body
            ? await bodyReader.ParseAsync(context, body, asSdkMessage: api.Shape == TransportApiShape.Message).ConfigureAwait(false)
            : null;

    /// <summary>
    /// Runs the handshake with the answer held back: the session exists for the client (<c>Mcp-Session-Id</c>) only once
    /// the transport has written an initialize result. Anything else (the SDK throwing on the message, its server
    /// answering with an error) ends the session, so a failed handshake leaves nothing behind and holds no room.
    /// </summary>
    private async Task InitializeAsync(HttpContext context, HostedSession session, PostedMessage message, string protocolVersion)
    {
        using var answer = new MemoryStream();
        try
        {
            await api.HandlePostAsync(session.Transport, message, context.User, NullIfEmpty(protocolVersion), answer, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception) when (session.Tracked.IsGone)
        {
            // Ended (shutdown) during the handshake.
            await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
            return;
        }
        catch (JsonException)
        {
            await sessions.DiscardAsync(session).ConfigureAwait(false);
            await RefuseUnreadableAsync(context).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away mid-handshake: nobody will use the session.
            await sessions.DiscardAsync(session).ConfigureAwait(false);
            return;
        }
        catch
        {
            await sessions.DiscardAsync(session).ConfigureAwait(false);
            throw;
        }

        var written = answer.GetBuffer().AsMemory(0, (int)answer.Length);
        if (!InitializeAnswer.Succeeded(written, message.Id!.Value, out var error, out var negotiated))
        {
            await sessions.DiscardAsync(session).ConfigureAwait(false);
            if (error.IsEmpty)
            {
                await refusals.RefuseAsync(context, StatusCodes.Status500InternalServerError, "Internal Server Error: the server did not answer initialize").ConfigureAwait(false);
                return;
            }

            // The server's own error, as the whole answer: the session it refused never existed for the client.
            await refusals.RelayAsync(context, StatusCodes.Status400BadRequest, error, "Bad Request: the server refused initialize").ConfigureAwait(false);
            return;
        }

        if (records is not null && negotiated is not null)
        {
            await RecordAsync(context, session, message, negotiated).ConfigureAwait(false);
        }

        context.Response.Headers[McpHeaders.SessionId] = session.Id;
        EventStreamResponse.Start(context);
        await context.Response.Body.WriteAsync(written, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the record the session resumes from once evicted, before the client learns its id: a client that comes back
    /// on another instance of a fleet finds it there.
    /// </summary>
    private async Task RecordAsync(HttpContext context, HostedSession session, PostedMessage message, string negotiated)
    {
        using var document = JsonDocument.Parse(message.Body);
        if (!document.RootElement.TryGetProperty("params", out var parameters) ||
            SessionRecord.FromInitialize(parameters, negotiated, session.User) is not { } record)
        {
            return;
        }

        // Bounded by McpCompat:SessionStoreTimeout: a slow store delays the handshake no longer (counted and logged). A
        // write that timed out may still land, so the session keeps its record (a DELETE then records a tombstone); one
        // too large is never written.
        if (await records!.SaveAsync(session.Id, record, again: false).ConfigureAwait(false) is RecordWrite.Saved or RecordWrite.Unavailable)
        {
            session.Record = record;
            session.RecordTouched = timeProvider.GetTimestamp();
        }
    }

    /// <summary>Keeps in the session's record the logging level a <c>logging/setLevel</c> request set.</summary>
    private async Task RecordLoggingLevelAsync(HostedSession session, PostedMessage message)
    {
        using var document = JsonDocument.Parse(message.Body);
        if (session.Record is not { } record ||
            !document.RootElement.TryGetProperty("params", out var parameters) || parameters.ValueKind != JsonValueKind.Object ||
            !parameters.TryGetProperty("level", out var level) || level.ValueKind != JsonValueKind.String ||
            level.GetString() is not { } name || !LoggingLevels.Contains(name, StringComparer.Ordinal) || name == record.LoggingLevel)
        {
            return;
        }

        session.Record = record = record.WithLoggingLevel(name);
        session.RecordTouched = timeProvider.GetTimestamp();
        await records!.SaveAsync(session.Id, record, again: true).ConfigureAwait(false);
    }

    private async Task SendAsync(HttpContext context, HostedSession session, PostedMessage message, string protocolVersion)
    {
        context.Response.Headers[McpHeaders.SessionId] = session.Id;
        EventStreamResponse.Start(context);
        bool wrote;
        var answer = AnswerKeepAlive.Open(context, keepAlives, timeProvider);
        try
        {
            if (message.IsRequest && keepAlives.Enabled)
            {
                // A request is answered with events: its stream starts now, and its keep-alives with it, so a call that
                // writes nothing for a long time is kept alive too (some SDK builds start the answer only with its result).
                await answer.FlushAsync(answer.Token).ConfigureAwait(false);
            }

            wrote = await api.HandlePostAsync(session.Transport, message, context.User, NullIfEmpty(protocolVersion), answer, answer.Token).ConfigureAwait(false);
        }
        catch (Exception) when (session.Tracked.IsGone)
        {
            // The session ended (DELETE, shutdown) while this request was on its way or in flight: the transport gave
            // up on it. The call still gets an answer a client can read.
            await AnswerKeepAlive.CloseAsync(context, answer).ConfigureAwait(false);
            await refusals.SessionEndedAsync(context, message.Id).ConfigureAwait(false);
            return;
        }
        catch (JsonException) when (!context.Response.HasStarted)
        {
            await AnswerKeepAlive.CloseAsync(context, answer).ConfigureAwait(false);
            await RefuseUnreadableAsync(context).ConfigureAwait(false);
            return;
        }
        catch (JsonException) when (message.Id is { } id)
        {
            // The SDK could not read a request whose answer has started: the error is its last event.
            await AnswerKeepAlive.CloseAsync(context, answer).ConfigureAwait(false);
            await JsonRpcErrorResponse.WriteEventAsync(context, JsonRpcErrorCodes.InvalidRequest, "Invalid Request: not a JSON-RPC message", id).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (answer.Failed)
        {
            // A keep-alive could not be written: the client is gone, and so is its call.
            await AnswerKeepAlive.CloseAsync(context, answer).ConfigureAwait(false);
            return;
        }

        await AnswerKeepAlive.CloseAsync(context, answer).ConfigureAwait(false);

        if (records is not null && message.Method == "logging/setLevel")
        {
            await RecordLoggingLevelAsync(session, message).ConfigureAwait(false);
        }

        if (!wrote && !context.Response.HasStarted)
        {
            context.Response.Headers.ContentType = default;
            context.Response.StatusCode = StatusCodes.Status202Accepted;
        }
    }

    private Task RefuseUnreadableAsync(HttpContext context)
    {
        context.Response.Headers.ContentType = default;
        return refusals.WriteAsync(context, StatusCodes.Status400BadRequest, JsonRpcErrorCodes.InvalidRequest, "Invalid Request: not a JSON-RPC message");
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
