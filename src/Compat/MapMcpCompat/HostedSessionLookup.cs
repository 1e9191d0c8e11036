using McpCompat.Http;
using McpCompat.Resumption;
using McpCompat.Sessions;
using Microsoft.AspNetCore.Http;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// Finds the hosted session a request names and checks that the request's user is the one who started it; answers
/// 404 or 403 when it cannot serve the request. Where sessions resume, a session no longer hosted comes back from its
/// record (<see cref="HostedSessionResumer"/>), with the same answers for everything else.
/// </summary>
internal sealed class HostedSessionLookup(HostedSessionStore store, RefusalWriter refusals, HostedSessionResumer? resumer, TimeProvider timeProvider)
{
    /// <summary>Gets what brings evicted sessions back, or <see langword="null"/> when sessions do not resume.</summary>
    public HostedSessionResumer? Resumer => resumer;

    /// <summary>Returns the hosted session, or answers and returns null when it is unknown or another user's. Never resumes.</summary>
    public async ValueTask<HostedSession?> FindAsync(HttpContext context, string sessionId)
    {
        var session = store.Find(sessionId);
        if (session is null)
        {
            await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
            return null;
        }

        if (session.User != UserKey.From(context.User))
        {
            await RefuseOtherUserAsync(context, refusals).ConfigureAwait(false);
            return null;
        }

        return session;
    }

    /// <summary>
    /// Finds the session as <see cref="FindAsync"/> does, or resumes it, and counts the request in; answers and returns
    /// null when it cannot.
    /// </summary>
    public async ValueTask<HostedSession?> EnterAsync(HttpContext context, string sessionId)
    {
        if (store.Find(sessionId) is not { } session)
        {
            if (resumer is null)
            {
                await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
                return null;
            }

            return await resumer.ResumeAsync(context, sessionId).ConfigureAwait(false);
        }

        if (session.User != UserKey.From(context.User))
        {
            await RefuseOtherUserAsync(context, refusals).ConfigureAwait(false);
            return null;
        }

        if (!session.Tracked.TryEnter())
        {
            if (resumer is null)
            {
                // Being ended right now: the same answer as once it is gone.
                await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
                return null;
            }

            // Being ended right now: evicted, its record kept (it comes back), or deleted, its record gone (404). The
            // request waits for the copy being ended to leave the store, then resumes the session as any later one would.
            try
            {
                await session.Removed.WaitAsync(HostedSessionStore.DisposeWait, timeProvider, context.RequestAborted).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
                return null;
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away while it waited.
                return null;
            }

            return await resumer.ResumeAsync(context, sessionId).ConfigureAwait(false);
        }

        if (resumer is not null && session.Record is { } record)
        {
            resumer.Records.Use(sessionId);
            if (timeProvider.GetElapsedTime(session.RecordTouched) > resumer.Records.Window / 2)
            {
                // A session in use for longer than half its window keeps its record: written again, in the background.
                session.RecordTouched = timeProvider.GetTimestamp();
                session.RecordRefresh = RefreshAsync(resumer.Records, session, record);
            }
        }

        return session;
    }

    /// <summary>
    /// Writes the record of a session in use again; when its client deleted it on another instance meanwhile (the fleet's
    /// notice lost), the copy here ends too.
    /// </summary>
    private async Task RefreshAsync(SessionRecordStore records, HostedSession session, SessionRecord record)
    {
        if (await records.SaveAsync(session.Id, record, again: true).ConfigureAwait(false) == RecordWrite.Ended)
        {
            await store.EndAsync(session.Id).ConfigureAwait(false);
        }
    }

    /// <summary>Checks the request's user against the session's and counts the request in; answers and returns null when it cannot.</summary>
    public static async ValueTask<HostedSession?> CheckAndEnterAsync(HttpContext context, HostedSession session, RefusalWriter refusals)
    {
        if (session.User != UserKey.From(context.User))
        {
            await RefuseOtherUserAsync(context, refusals).ConfigureAwait(false);
            return null;
        }

        if (!session.Tracked.TryEnter())
        {
            // Being ended right now: the same answer as once it is gone.
            await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
            return null;
        }

        return session;
    }

    /// <summary>The answer to a request for a session another user started: the same, live or to be resumed.</summary>
    public static Task RefuseOtherUserAsync(HttpContext context, RefusalWriter refusals) =>
        refusals.RefuseAsync(context, StatusCodes.Status403Forbidden, "Forbidden: the authenticated user is not the user who started the session");
}
