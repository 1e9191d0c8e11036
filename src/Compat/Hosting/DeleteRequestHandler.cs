using McpCompat.Resumption;
using McpCompat.Sessions;
using McpCompat.Telemetry;
using Microsoft.AspNetCore.Http;

namespace McpCompat.Hosting;

/// <summary>
/// Serves a DELETE: its client ends the session, for good. Where sessions resume, its record is deleted as well, and a
/// session no longer hosted but still resumable is ended by deleting its record: the same answer as for a live one; the
/// other instances of a fleet are told (<see cref="SessionEndBroadcast"/>) and end their copies.
/// </summary>
internal sealed class DeleteRequestHandler(
    RequestValidator validator,
    HostedSessionLookup lookup,
    HostedSessionStore store,
    RefusalWriter refusals,
    McpCompatMetrics metrics,
    SessionEndBroadcast? fleet = null)
{
    public async Task HandleAsync(HttpContext context)
    {
        if (await validator.CheckProtocolVersionAsync(context).ConfigureAwait(false) is null ||
            await validator.RequireSessionIdAsync(context).ConfigureAwait(false) is not { } sessionId)
        {
            return;
        }

        if (lookup.Resumer?.Records is { } records && store.Find(sessionId) is null)
        {
            await DeleteRecordAsync(context, records, sessionId).ConfigureAwait(false);
            return;
        }

        if (await lookup.FindAsync(context, sessionId).ConfigureAwait(false) is not { } session)
        {
            return;
        }

        var ended = await store.EndAsync(sessionId).ConfigureAwait(false);
        if (lookup.Resumer?.Records is { } sessionRecords)
        {
            await sessionRecords.RemoveAsync(sessionId, CancellationToken.None).ConfigureAwait(false);
            if (fleet is not null)
            {
                await fleet.PublishAsync(sessionId, session.User).ConfigureAwait(false);
            }
        }

        if (!ended)
        {
            await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        metrics.SessionEnded(EvictionReason.Deleted);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private async Task DeleteRecordAsync(HttpContext context, SessionRecordStore records, string sessionId)
    {
        if (await records.FindAsync(sessionId, context.RequestAborted).ConfigureAwait(false) is not { } record)
        {
            await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        if (record.Owner != UserKey.From(context.User))
        {
            await HostedSessionLookup.RefuseOtherUserAsync(context, refusals).ConfigureAwait(false);
            return;
        }

        // Hosted again meanwhile (resumed by another request): ended as well.
        await store.EndAsync(sessionId).ConfigureAwait(false);
        await records.RemoveAsync(sessionId, CancellationToken.None).ConfigureAwait(false);
        if (fleet is not null)
        {
            await fleet.PublishAsync(sessionId, record.Owner).ConfigureAwait(false);
        }

        metrics.SessionEnded(EvictionReason.Deleted);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }
}
