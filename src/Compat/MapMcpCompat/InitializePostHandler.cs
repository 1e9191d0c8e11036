using System.Text.Json;
using McpCompat.Http;
using Microsoft.AspNetCore.Http;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// Serves an <c>initialize</c> POST without a session id: starts a session, once admitted (<see cref="HostedSessionFactory"/>),
/// and keeps it once the transport has answered with an initialize result; where sessions resume, its record is written
/// before the client learns its id.
/// </summary>
internal sealed class InitializePostHandler(
    CoreTransportApi api,
    RequestValidator validator,
    HostedSessionFactory sessions,
    HostedSessionRecords records,
    RefusalWriter refusals)
{
    /// <summary>
    /// Starts the session <paramref name="message"/> asks for, once admitted, when it is a well-formed <c>initialize</c>
    /// request; answers 400 otherwise. <paramref name="protocolVersion"/> is the request's <c>MCP-Protocol-Version</c>.
    /// </summary>
    public async Task HandleAsync(HttpContext context, PostedMessage message, string protocolVersion)
    {
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

        if (await sessions.StartAsync(context).ConfigureAwait(false) is not { } session)
        {
            return;
        }

        // A revision the SDK does not know is not handed to it: the handshake's body negotiates.
        protocolVersion = validator.IsSupported(protocolVersion) ? protocolVersion : string.Empty;
        try
        {
            await InitializeAsync(context, session, message, protocolVersion).ConfigureAwait(false);
        }
        finally
        {
            sessions.FinishStart(session);
        }
    }

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

        if (negotiated is not null)
        {
            await records.RecordAsync(session, message, negotiated).ConfigureAwait(false);
        }

        context.Response.Headers[McpHeaders.SessionId] = session.Id;
        EventStreamResponse.Start(context);
        await context.Response.Body.WriteAsync(written, context.RequestAborted).ConfigureAwait(false);
    }

    private Task RefuseUnreadableAsync(HttpContext context)
    {
        context.Response.Headers.ContentType = default;
        return refusals.WriteAsync(context, StatusCodes.Status400BadRequest, JsonRpcErrorCodes.InvalidRequest, "Invalid Request: not a JSON-RPC message");
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
