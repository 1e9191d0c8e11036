using McpCompat.Http;
using Microsoft.AspNetCore.Http;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// Serves a POST: one JSON-RPC message, for a session or, in a revision without sessions, on its own. An
/// <c>initialize</c> request without a session id starts a session (<see cref="InitializePostHandler"/>); a message for
/// a session goes to its transport (<see cref="SessionPostHandler"/>); a message of a sessionless revision is answered
/// on its own (<see cref="SessionlessPostHandler"/>).
/// </summary>
internal sealed class PostRequestHandler(
    RequestValidator validator,
    PostedMessageReader messages,
    HostedSessionLookup lookup,
    InitializePostHandler initializer,
    SessionPostHandler sessionPost,
    SessionlessPostHandler sessionless)
{
    public async Task HandleAsync(HttpContext context)
    {
        if (!await validator.CheckPostMediaTypesAsync(context).ConfigureAwait(false))
        {
            return;
        }

        // A request that may be initialize is read before its MCP-Protocol-Version is checked: the handshake negotiates
        // the revision in its body, whatever a client that speaks newer ones puts in the header.
        var header = context.Request.Headers[McpHeaders.ProtocolVersion].ToString();
        if (context.Request.Headers[McpHeaders.SessionId].ToString().Length == 0 && !validator.IsSessionless(header))
        {
            if (await messages.ReadAsync(context).ConfigureAwait(false) is { } initialize &&
                !await sessionless.RefuseMismatchedMetaAsync(context, initialize, header).ConfigureAwait(false))
            {
                await initializer.HandleAsync(context, initialize, header).ConfigureAwait(false);
            }

            return;
        }

        if (await validator.CheckProtocolVersionAsync(context).ConfigureAwait(false) is not { } protocolVersion)
        {
            return;
        }

        if (sessionless.Enabled && validator.IsSessionless(protocolVersion))
        {
            // No session in this revision, whatever Mcp-Session-Id says: the request is answered on its own.
            if (await messages.ReadAsync(context).ConfigureAwait(false) is { } message)
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
            if (await messages.ReadAsync(context).ConfigureAwait(false) is { } message &&
                !await sessionless.RefuseMismatchedMetaAsync(context, message, protocolVersion).ConfigureAwait(false))
            {
                await sessionPost.HandleAsync(context, session, message, protocolVersion).ConfigureAwait(false);
            }
        }
        finally
        {
            lookup.Exit(session);
        }
    }
}
