using McpCompat.Http;
using McpCompat.Streams;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace McpCompat.Hosting;

/// <summary>
/// Serves a GET: the session's one SSE stream of server messages, kept alive with comments; the session is active
/// while the stream is open. The stream ends, cleanly, when the application starts stopping: an open stream never
/// ends on its own, and the server's graceful shutdown waits for every open request.
/// </summary>
internal sealed class GetRequestHandler(
    CoreTransportApi api,
    RequestValidator validator,
    HostedSessionLookup lookup,
    RefusalWriter refusals,
    KeepAliveScheduler keepAlives,
    IHostApplicationLifetime lifetime,
    TimeProvider timeProvider)
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
            switch (session.TryOpenGetStream())
            {
                case GetStreamClaim.AlreadyOpen:
                    await refusals.RefuseAsync(context, StatusCodes.Status409Conflict, "Conflict: this session already has an open GET stream").ConfigureAwait(false);
                    return;
                case GetStreamClaim.Ended:
                    await refusals.RefuseAsync(context, StatusCodes.Status400BadRequest, "Bad Request: this session's GET stream has ended and cannot be opened again (no resumption); start a new session").ConfigureAwait(false);
                    return;
            }

            await StreamAsync(context, session).ConfigureAwait(false);
        }
        finally
        {
            session.Tracked.Exit(timeProvider.GetTimestamp());
        }
    }

    private async Task StreamAsync(HttpContext context, HostedSession session)
    {
        var stream = new KeepAliveStream(context.Response.Body, keepAlives, timeProvider, context.RequestAborted, lifetime.ApplicationStopping);
        try
        {
            context.Response.Headers[McpHeaders.SessionId] = session.Id;
            EventStreamResponse.Start(context);
            await stream.FlushAsync(stream.Token).ConfigureAwait(false);
            stream.Start();
            await api.HandleGetAsync(session.Transport, stream, stream.Token).ConfigureAwait(false);
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
            session.CloseGetStream();
        }
    }
}
