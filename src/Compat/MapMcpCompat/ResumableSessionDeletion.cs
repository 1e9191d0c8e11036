using McpCompat.Http;
using McpCompat.Resumption;
using McpCompat.Sessions;
using McpCompat.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// Ends, for good, a session its client deletes where sessions resume: the deletion is recorded in the store (a
/// tombstone) before any copy of the session is ended, so no instance resumes it afterwards, whatever was in flight; a
/// session no longer hosted but still resumable is ended the same way, with the same answer as a live one; the other
/// instances of a fleet are told (<see cref="SessionEndBroadcast"/>) and end their copies. When the store cannot record
/// the deletion, nothing is ended and the client is answered 503 with <c>Retry-After</c>, to try again.
/// </summary>
internal sealed class ResumableSessionDeletion(
    SessionResumption resumption,
    HostedSessionStore store,
    RefusalWriter refusals,
    McpCompatMetrics metrics,
    SessionEndBroadcast fleet,
    ILogger<McpCompatEndpoint> logger)
{
    /// <summary>Gets whether sessions resume: their deletion is recorded.</summary>
    public bool Enabled => resumption.Records is not null;

    /// <summary>Ends session <paramref name="sessionId"/> for its owner and answers 200, or answers 404, 403 or 503.</summary>
    public async Task HandleAsync(HttpContext context, string sessionId)
    {
        var records = resumption.Records!;

        // Whose the session is: the live copy says, or its record.
        UserKey? owner;
        var resumable = true;
        if (store.Find(sessionId) is { } live)
        {
            owner = live.User;
            resumable = live.Record is not null;
        }
        else
        {
            var found = await records.FindAsync(sessionId, context.RequestAborted).ConfigureAwait(false);
            if (found.State == RecordState.Unavailable)
            {
                Log.DeleteRefusedStoreUnavailable(logger, sessionId);
                await refusals.StoreUnavailableAsync(context, records.Settings.Timeout).ConfigureAwait(false);
                return;
            }

            if (found.Record is not { } record)
            {
                await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
                return;
            }

            owner = record.Owner;
        }

        if (owner != UserKey.Of(context))
        {
            await HostedSessionLookup.RefuseOtherUserAsync(context, refusals).ConfigureAwait(false);
            return;
        }

        if (resumable)
        {
            // First the tombstone, then the copies: a request racing this DELETE can no longer resume the session.
            if (!await records.EndAsync(sessionId).ConfigureAwait(false))
            {
                Log.DeleteRefusedStoreUnavailable(logger, sessionId);
                await refusals.StoreUnavailableAsync(context, records.Settings.Timeout).ConfigureAwait(false);
                return;
            }
        }
        else
        {
            // No record was ever written (too large, or the store failed at the handshake): only this copy exists.
            records.Forget(sessionId);
        }

        await store.EndAsync(sessionId).ConfigureAwait(false);
        if (resumable)
        {
            await fleet.PublishAsync(sessionId, owner).ConfigureAwait(false);
        }

        metrics.SessionEnded(EvictionReason.Deleted);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }
}
