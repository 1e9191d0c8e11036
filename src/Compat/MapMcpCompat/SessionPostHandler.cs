using System.Text.Json;
using McpCompat.Http;
using McpCompat.Streams;
using Microsoft.AspNetCore.Http;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// Serves a POST of one JSON-RPC message for a hosted session: the SDK's transport answers it (as an SSE stream, kept
/// alive while a call runs); a call that outlives its session still gets an answer a client can read.
/// </summary>
internal sealed class SessionPostHandler(
    CoreTransportApi api,
    RefusalWriter refusals,
    KeepAliveScheduler keepAlives,
    HostedSessionRecords records)
{
    /// <summary>Hands <paramref name="message"/> to the session's transport and streams its answer, kept alive.</summary>
    public async Task HandleAsync(HttpContext context, HostedSession session, PostedMessage message, string protocolVersion)
    {
        context.Response.Headers[McpHeaders.SessionId] = session.Id;
        EventStreamResponse.Start(context);
        bool wrote;
        var answer = AnswerKeepAlive.Open(context, keepAlives);
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

        if (message.Method == "logging/setLevel")
        {
            await records.RecordLoggingLevelAsync(session, message).ConfigureAwait(false);
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
