using McpCompat.Http;
using McpCompat.Sessions;
using McpCompat.Telemetry;
using Microsoft.AspNetCore.Http;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// Serves a DELETE: its client ends the session, for good. Where sessions resume, that is final by construction
/// (<see cref="ResumableSessionDeletion"/>); elsewhere the live session ends, or the id is unknown (404).
/// </summary>
internal sealed class DeleteRequestHandler(
    RequestValidator validator,
    HostedSessionLookup lookup,
    HostedSessionStore store,
    RefusalWriter refusals,
    McpCompatMetrics metrics,
    ResumableSessionDeletion resumable)
{
    public async Task HandleAsync(HttpContext context)
    {
        if (await validator.CheckProtocolVersionAsync(context).ConfigureAwait(false) is null ||
            await validator.RequireSessionIdAsync(context).ConfigureAwait(false) is not { } sessionId)
        {
            return;
        }

        if (!resumable.Enabled)
        {
            await EndLiveAsync(context, sessionId).ConfigureAwait(false);
            return;
        }

        await resumable.HandleAsync(context, sessionId).ConfigureAwait(false);
    }

    /// <summary>Where sessions do not resume: the live session ends, or the id is unknown (404).</summary>
    private async Task EndLiveAsync(HttpContext context, string sessionId)
    {
        if (await lookup.FindAsync(context, sessionId).ConfigureAwait(false) is null)
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
