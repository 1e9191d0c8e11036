using McpCompat.Http;
using McpCompat.Sessions;
using Microsoft.AspNetCore.Http;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// Finds the hosted session a request names and checks that the request's user is the one who started it; answers
/// 404 or 403 when it cannot serve the request. Where sessions resume, a session no longer hosted comes back from its
/// record (<see cref="HostedSessionResumer"/>), with the same answers for everything else.
/// </summary>
internal sealed class HostedSessionLookup(
    HostedSessionStore store,
    RefusalWriter refusals,
    HostedSessionResumer resumer,
    HostedSessionRecords records,
    TimeProvider timeProvider)
{
    /// <summary>Returns the hosted session, or answers and returns null when it is unknown or another user's. Never resumes.</summary>
    public async ValueTask<HostedSession?> FindAsync(HttpContext context, string sessionId)
    {
        var session = store.Find(sessionId);
        if (session is null)
        {
            await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
            return null;
        }

        if (session.User != UserKey.Of(context))
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
            if (!resumer.Enabled)
            {
                await refusals.SessionNotFoundAsync(context).ConfigureAwait(false);
                return null;
            }

            return await resumer.ResumeAsync(context, sessionId).ConfigureAwait(false);
        }

        if (session.User != UserKey.Of(context))
        {
            await RefuseOtherUserAsync(context, refusals).ConfigureAwait(false);
            return null;
        }

        if (!session.Tracked.TryEnter())
        {
            if (!resumer.Enabled)
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

        records.Use(session);
        return session;
    }

    /// <summary>Counts out a request <see cref="EnterAsync"/> counted in: it is over, however it ended.</summary>
    public void Exit(HostedSession session) => session.Tracked.Exit(timeProvider.GetTimestamp());

    /// <summary>Checks the request's user against the session's and counts the request in; answers and returns null when it cannot.</summary>
    public static async ValueTask<HostedSession?> CheckAndEnterAsync(HttpContext context, HostedSession session, RefusalWriter refusals)
    {
        if (session.User != UserKey.Of(context))
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
