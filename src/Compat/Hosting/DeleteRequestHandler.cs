using McpCompat.Sessions;
using McpCompat.Telemetry;
using Microsoft.AspNetCore.Http;

namespace McpCompat.Hosting;

/// <summary>Serves a DELETE: its client ends the session.</summary>
internal sealed class DeleteRequestHandler(
    RequestValidator validator,
    HostedSessionLookup lookup,
    HostedSessionStore store,
    RefusalWriter refusals,
    McpCompatMetrics metrics)
{
    public async Task HandleAsync(HttpContext context)
    {
        if (await validator.CheckProtocolVersionAsync(context).ConfigureAwait(false) is null ||
            await validator.RequireSessionIdAsync(context).ConfigureAwait(false) is not { } sessionId ||
            await lookup.FindAsync(context, sessionId).ConfigureAwait(false) is null)
        {
            return;
        }

        if (!await store.EndAsync(sessionId).ConfigureAwait(false))
        {
            await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        metrics.SessionEnded(EvictionReason.Deleted);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }
}
