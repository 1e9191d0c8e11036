using Microsoft.AspNetCore.Http;

namespace McpCompat.Hosting;

/// <summary>
/// Finds the hosted session a request names and checks that the request's user is the one who started it; answers
/// 404 or 403 when it cannot serve the request.
/// </summary>
internal sealed class HostedSessionLookup(HostedSessionStore store, RefusalWriter refusals)
{
    /// <summary>Returns the session, or answers and returns null when it is unknown or another user's.</summary>
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
            await refusals.RefuseAsync(context, StatusCodes.Status403Forbidden, "Forbidden: the authenticated user is not the user who started the session").ConfigureAwait(false);
            return null;
        }

        return session;
    }

    /// <summary>Finds the session as <see cref="FindAsync"/> does and counts the request in; answers and returns null when it cannot.</summary>
    public async ValueTask<HostedSession?> EnterAsync(HttpContext context, string sessionId)
    {
        var session = await FindAsync(context, sessionId).ConfigureAwait(false);
        if (session is null)
        {
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
}
