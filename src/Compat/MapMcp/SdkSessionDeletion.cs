using McpCompat.Http;
using McpCompat.Resumption;
using McpCompat.Sessions;
using McpCompat.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace McpCompat.MapMcp;

/// <summary>
/// A client's DELETE on the SDK's own <c>MapMcp</c>, where sessions resume (seen in front of the SDK's endpoint, for the
/// SDK's migration hook hears of none): final, its tombstone written before the SDK ends the session, and the SDK asked
/// only once no rebuild of it is under way here (<see cref="PendingMigrations"/>); the other instances of a fleet are told.
/// Logged as <see cref="SdkSessionMigration"/>'s.
/// </summary>
internal sealed class SdkSessionDeletion(
    SessionResumption resumption,
    SdkSessionTable sessions,
    PendingMigrations pending,
    SessionEndBroadcast fleet,
    ILogger<SdkSessionMigration> logger)
{
    /// <summary>
    /// Serves a DELETE on the SDK's endpoint, for good: another user's is refused as the SDK refuses it for a live session
    /// (the SDK would answer 200 for an evicted one, and delete nothing); an id the SDK's host does not hold and that has
    /// no record gets 404 (the SDK would answer 200, and McpCompat tell the fleet); the owner's writes the session's
    /// tombstone first (503 with <c>Retry-After</c> when the store cannot take it, and nothing is ended), waits for a
    /// rebuild of it under way here, then has the SDK end it and tells the other instances.
    /// </summary>
    public async Task DeleteAsync(HttpContext context, RequestDelegate sdk)
    {
        var sessionId = context.Request.Headers[McpHeaders.SessionId].ToString();
        if (resumption.Records is not { } records || sessionId.Length == 0)
        {
            await sdk(context).ConfigureAwait(false);
            return;
        }

        var live = SessionRecordStore.IsPlausibleId(sessionId) ? sessions.Holds(sessionId) : false;
        var found = await records.FindAsync(sessionId, context.RequestAborted).ConfigureAwait(false);
        if (found.State == RecordState.Unavailable)
        {
            Log.DeleteRefusedStoreUnavailable(logger, sessionId);
            await SdkSessionMigration.WriteStoreUnavailableAsync(context, records).ConfigureAwait(false);
            return;
        }

        if (found.Record is { } record && record.Owner != UserKey.Of(context))
        {
            await JsonRpcErrorResponse.WriteAsync(context, StatusCodes.Status403Forbidden, SdkSessionMigration.ForbiddenError()).ConfigureAwait(false);
            return;
        }

        if (found.Record is null)
        {
            if (live == false)
            {
                await JsonRpcErrorResponse.WriteSessionNotFoundAsync(context).ConfigureAwait(false);
                return;
            }

            // Live here without a record (none written, or deleted elsewhere), or McpCompat cannot tell: the SDK's DELETE.
            await sdk(context).ConfigureAwait(false);
            return;
        }

        if (!await records.EndAsync(sessionId).ConfigureAwait(false))
        {
            Log.DeleteRefusedStoreUnavailable(logger, sessionId);
            await SdkSessionMigration.WriteStoreUnavailableAsync(context, records).ConfigureAwait(false);
            return;
        }

        await pending.WaitAsync(sessionId, records.Settings.Timeout).ConfigureAwait(false);
        await sdk(context).ConfigureAwait(false);
        if (context.Response.StatusCode is >= 200 and < 300)
        {
            // Other instances may hold a copy, resumed there: they end it (as its owner, who this request's user is).
            await fleet.PublishAsync(sessionId, found.Record.Owner).ConfigureAwait(false);
        }
    }
}
