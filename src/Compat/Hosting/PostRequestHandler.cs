using System.Text.Json;
using McpCompat.Http;
using Microsoft.AspNetCore.Http;

namespace McpCompat.Hosting;

/// <summary>
/// Serves a POST: one JSON-RPC message for a session, answered by the SDK's transport (as JSON or an SSE stream). An
/// <c>initialize</c> request without a session id starts a session, once admitted.
/// </summary>
internal sealed class PostRequestHandler(
    CoreTransportApi api,
    RequestValidator validator,
    RequestBodyReader bodyReader,
    SessionAdmission admission,
    HostedSessionFactory sessions,
    HostedSessionLookup lookup,
    RefusalWriter refusals,
    TimeProvider timeProvider)
{
    public async Task HandleAsync(HttpContext context)
    {
        if (!await validator.CheckPostMediaTypesAsync(context).ConfigureAwait(false) ||
            await validator.CheckProtocolVersionAsync(context).ConfigureAwait(false) is not { } protocolVersion ||
            await bodyReader.ReadAsync(context).ConfigureAwait(false) is not { } body)
        {
            return;
        }

        var (isMessage, rpcMethod) = await bodyReader.ParseAsync(context, body).ConfigureAwait(false);
        if (!isMessage)
        {
            return;
        }

        HostedSession? session;
        var sessionId = context.Request.Headers[McpHeaders.SessionId].ToString();
        if (sessionId.Length == 0)
        {
            if (rpcMethod != "initialize")
            {
                await refusals.RefuseAsync(context, StatusCodes.Status400BadRequest, "Bad Request: an Mcp-Session-Id header is required for every request but initialize").ConfigureAwait(false);
                return;
            }

            if (!await admission.AdmitAsync(context).ConfigureAwait(false))
            {
                return;
            }

            session = sessions.Start(context);
        }
        else
        {
            session = await lookup.EnterAsync(context, sessionId).ConfigureAwait(false);
            if (session is null)
            {
                return;
            }
        }

        try
        {
            await SendAsync(context, session, body, protocolVersion).ConfigureAwait(false);
        }
        finally
        {
            session.Tracked.Exit(timeProvider.GetTimestamp());
        }
    }

    private async Task SendAsync(HttpContext context, HostedSession session, ReadOnlyMemory<byte> body, string protocolVersion)
    {
        context.Response.Headers[McpHeaders.SessionId] = session.Id;
        EventStreamResponse.Start(context);
        bool wrote;
        try
        {
            wrote = await api.HandlePostAsync(session.Transport, body, context.User, protocolVersion.Length == 0 ? null : protocolVersion, context.Response, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (!context.Response.HasStarted && (ex is JsonException || session.Tracked.IsGone))
        {
            // A message the SDK cannot read, or a session ended (DELETE) while this request was on its way.
            context.Response.Headers.ContentType = default;
            if (ex is JsonException)
            {
                await refusals.WriteAsync(context, StatusCodes.Status400BadRequest, JsonRpcErrorCodes.InvalidRequest, "Invalid Request: not a JSON-RPC message").ConfigureAwait(false);
            }
            else
            {
                await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
            }

            return;
        }

        if (!wrote && !context.Response.HasStarted)
        {
            context.Response.Headers.ContentType = default;
            context.Response.StatusCode = StatusCodes.Status202Accepted;
        }
    }
}
