using McpCompat.Http;
using McpCompat.Streams;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// Serves a GET: the session's one SSE stream of server messages, kept alive with comments; the session is active
/// while the stream is open. The stream ends, cleanly, when the application starts stopping: an open stream never
/// ends on its own, and the server's graceful shutdown waits for every open request. A GET with <c>Last-Event-ID</c>
/// resumes a stream of the session (its GET stream or a POST's answer) from the application's event stream store:
/// what the client missed, then what follows.
/// </summary>
internal sealed class GetRequestHandler(
    RequestValidator validator,
    HostedSessionLookup lookup,
    HostedEventStreams streams,
    RefusalWriter refusals,
    KeepAliveScheduler keepAlives,
    IHostApplicationLifetime lifetime)
{
    public async Task HandleAsync(HttpContext context)
    {
        if (!await validator.CheckAcceptsEventStreamAsync(context).ConfigureAwait(false) ||
            await validator.CheckProtocolVersionAsync(context).ConfigureAwait(false) is null ||
            await validator.RequireSessionIdAsync(context).ConfigureAwait(false) is not { } sessionId ||
            await lookup.EnterAsync(context, sessionId).ConfigureAwait(false) is not { } session)
        {
            return;
        }

        try
        {
            if (context.Request.Headers[McpHeaders.LastEventId].ToString() is { Length: > 0 } lastEventId)
            {
                await ResumeAsync(context, session, lastEventId).ConfigureAwait(false);
                return;
            }

            switch (session.TryOpenGetStream())
            {
                case GetStreamClaim.AlreadyOpen:
                    await refusals.RefuseAsync(context, StatusCodes.Status409Conflict, "Conflict: this session already has an open GET stream").ConfigureAwait(false);
                    return;
                case GetStreamClaim.Ended:
                    await refusals.RefuseAsync(context, StatusCodes.Status400BadRequest, streams.Store is null
                        ? "Bad Request: this session's GET stream has ended and cannot be opened again (no resumption); start a new session"
                        : "Bad Request: this session's GET stream has ended; resume it with Last-Event-ID or start a new session").ConfigureAwait(false);
                    return;
            }

            await StreamAsync(context, session).ConfigureAwait(false);
        }
        finally
        {
            lookup.Exit(session);
        }
    }

    /// <summary>
    /// Replays the stream <paramref name="lastEventId"/> names, from the event after it, and goes on with what the
    /// server writes to it until that stream ends. Refused (400, as the SDK's host refuses it) without a store, for an
    /// id the store does not know (unknown or expired), and for a stream of another session.
    /// </summary>
    private async Task ResumeAsync(HttpContext context, HostedSession session, string lastEventId)
    {
        if (!streams.CanResume)
        {
            await refusals.RefuseAsync(context, StatusCodes.Status400BadRequest, "Bad Request: This server does not support resuming streams.").ConfigureAwait(false);
            return;
        }

        if (await streams.GetReaderAsync(lastEventId, context.RequestAborted).ConfigureAwait(false) is not { } reader)
        {
            await refusals.RefuseAsync(context, StatusCodes.Status400BadRequest, "Bad Request: The specified Last-Event-ID is either invalid or expired.").ConfigureAwait(false);
            return;
        }

        if (!string.Equals(streams.SessionIdOf(reader), session.Id, StringComparison.Ordinal))
        {
            await refusals.RefuseAsync(context, StatusCodes.Status400BadRequest, "Bad Request: The Last-Event-ID header refers to a session with a different session ID.").ConfigureAwait(false);
            return;
        }

        await StreamAsync(context, session, stream => streams.ReplayAsync(reader, stream, stream.Token), closesGetStream: false).ConfigureAwait(false);
    }

    private Task StreamAsync(HttpContext context, HostedSession session) =>
        StreamAsync(context, session, stream => streams.ServeAsync(session, stream, stream.Token), closesGetStream: true);

    private async Task StreamAsync(HttpContext context, HostedSession session, Func<KeepAliveStream, Task> serve, bool closesGetStream)
    {
        var stream = keepAlives.Wrap(context.Response.Body, ageBounded: true, context.RequestAborted, lifetime.ApplicationStopping);
        try
        {
            context.Response.Headers[McpHeaders.SessionId] = session.Id;
            EventStreamResponse.Start(context);
            await stream.FlushAsync(stream.Token).ConfigureAwait(false);
            stream.Start();
            await serve(stream).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The client went away (or stopped answering keep-alives), the application is stopping, or the session
            // ended: the stream is over.
        }
        finally
        {
            stream.Stop();
            await stream.DisposeAsync().ConfigureAwait(false);
            if (closesGetStream)
            {
                session.CloseGetStream();
            }
        }
    }
}
