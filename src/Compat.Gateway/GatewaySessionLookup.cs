using McpCompat.Http;
using McpCompat.Resumption;
using McpCompat.Sessions;
using Microsoft.AspNetCore.Http;

namespace McpCompat.Gateway;

/// <summary>
/// Finds the session a request names and counts the request in: a session held here; one taken up from its record
/// where sessions resume (<see cref="GatewayResumer"/>), after waiting for the gateway to finish ending it when the
/// request raced that; and, for a client's <c>DELETE</c> of a recorded session, its tombstone written first. Anything
/// else is answered here (404 unknown or another user's, 503 when the store or the slots fail).
/// </summary>
internal sealed class GatewaySessionLookup(
    GatewaySessions sessions,
    GatewayRecords records,
    GatewayResumer resumer,
    SessionEndBroadcast fleet,
    GatewaySessionHeaders sessionHeaders,
    TimeProvider timeProvider,
    RefusalWriter refusals)
{
    /// <summary>A session entered by a request, and whether the request is its client's <c>DELETE</c> with the tombstone written.</summary>
    public readonly record struct Entered(GatewaySession Session, bool Tombstoned);

    /// <summary>Enters session <paramref name="sessionId"/>, or answers the request and returns <see langword="null"/>.</summary>
    public async Task<Entered?> EnterAsync(HttpContext context, GatewayRoute route, string sessionId)
    {
        var tombstoned = false;
        var session = sessions.FindFor(sessionId, UserKey.Of(context));
        if (session is null && resumer.Enabled && sessions.Find(sessionId) is null)
        {
            if (HttpMethods.IsDelete(context.Request.Method))
            {
                await DeleteRecordedAsync(context, sessionId).ConfigureAwait(false);
                return null;
            }

            // Not held here: taken up from its record, or answered (404, 503) and done.
            if ((session = await resumer.ResumeAsync(context, route, sessionId, sessionHeaders.Of(context.Request, held: null)).ConfigureAwait(false)) is null)
            {
                return null;
            }
        }
        else if (session is null)
        {
            // Unknown, or another user's: the client starts a new session, as with any server.
            await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
            return null;
        }
        else if (!session.TryEnter())
        {
            // Being ended, or ended. Where it resumes and the gateway was ending it for being idle as the request
            // came: once the gateway has let go of it, it resumes as any session ended for being idle does (or is
            // answered 404 when its client deleted it meanwhile). Otherwise the client starts a new session.
            if (!resumer.Enabled || !session.Recorded)
            {
                await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
                return null;
            }

            if (!await WaitGoneAsync(context, session).ConfigureAwait(false))
            {
                return null;
            }

            if (HttpMethods.IsDelete(context.Request.Method))
            {
                await DeleteRecordedAsync(context, sessionId).ConfigureAwait(false);
                return null;
            }

            if ((session = await resumer.ResumeAsync(context, route, sessionId, sessionHeaders.Of(context.Request, held: null)).ConfigureAwait(false)) is null)
            {
                return null;
            }
        }
        else
        {
            records.Use(session);
        }

        if (session.Recorded && HttpMethods.IsDelete(context.Request.Method))
        {
            if (!await records.Store!.EndAsync(session.Id).ConfigureAwait(false))
            {
                // The tombstone could not be written: nothing is ended, and the client can try again.
                sessions.Exit(session);
                await refusals.StoreUnavailableAsync(context, records.Store.Settings.Timeout).ConfigureAwait(false);
                return null;
            }

            tombstoned = true;
        }

        Carry(context, session);
        return new Entered(session, tombstoned);
    }

    /// <summary>Keeps with <paramref name="session"/> the credentials its client's request carries, for the gateway's own requests.</summary>
    public void Carry(HttpContext context, GatewaySession session) => session.Headers = sessionHeaders.Of(context.Request, session.Headers);

    /// <summary>
    /// Waits, at most <see cref="GatewaySessions.UpstreamDeleteTimeout"/> and a little more, for the gateway to let go of
    /// a session it is ending; <see langword="false"/> (answered 404, or the client gone) when it does not.
    /// </summary>
    private async Task<bool> WaitGoneAsync(HttpContext context, GatewaySession session)
    {
        try
        {
            await session.LetGo.WaitAsync(GatewaySessions.UpstreamDeleteTimeout * 2, timeProvider, context.RequestAborted).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
            return false;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// A client's <c>DELETE</c> of a session the gateway does not hold, where sessions resume: its record decides. The
    /// tombstone first (no instance resumes it from then on), then the session upstream, when the record says it lives
    /// there (its client moved from another gateway, or this one restarted); 404 without a record, or another user's.
    /// </summary>
    private async Task DeleteRecordedAsync(HttpContext context, string sessionId)
    {
        var store = records.Store!;
        var lookup = await store.FindAsync(sessionId, context.RequestAborted).ConfigureAwait(false);
        if (lookup.State == RecordState.Unavailable)
        {
            await refusals.StoreUnavailableAsync(context, store.Settings.Timeout).ConfigureAwait(false);
            return;
        }

        if (lookup.Record is not { } record || record.Owner != UserKey.Of(context))
        {
            await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        if (!await store.EndAsync(sessionId).ConfigureAwait(false))
        {
            await refusals.StoreUnavailableAsync(context, store.Settings.Timeout).ConfigureAwait(false);
            return;
        }

        if (record.Upstream is { } upstream)
        {
            await sessions.DeleteUpstreamAsync(sessionId, new Uri(upstream.Endpoint), upstream.SessionId, record.ProtocolVersion, sessionHeaders.Of(context.Request, held: null), context.RequestAborted).ConfigureAwait(false);
        }

        await fleet.PublishAsync(sessionId, record.Owner).ConfigureAwait(false);

        context.Response.StatusCode = StatusCodes.Status200OK;
    }
}
