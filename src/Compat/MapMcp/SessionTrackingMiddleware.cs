using McpCompat.Http;
using McpCompat.Sessions;
using McpCompat.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace McpCompat.MapMcp;

/// <summary>
/// Watches the SDK's Streamable HTTP endpoint: records each session the SDK creates or brings back (id from the response
/// header, creator from the request's principal), counts each request of a known session in and out, and answers a request
/// for a session that is being evicted with the SDK's own 404 instead of letting it race the eviction.
/// </summary>
internal sealed class SessionTrackingMiddleware(RequestDelegate next, SessionTracker tracker, DeleteEndpointEvictor evictor, TimeProvider timeProvider, McpCompatMetrics metrics)
{
    public Task InvokeAsync(HttpContext context)
    {
        var sessionId = context.Request.Headers[McpHeaders.SessionId];
        if (sessionId.Count == 1 && !string.IsNullOrEmpty(sessionId[0]))
        {
            return tracker.Find(sessionId[0]!) switch
            {
                ObservedSession session when session.Evictor == evictor => InvokeForSessionAsync(context, session),

                // An id no one tracks: the SDK may bring the session back (its migration hook, for an evicted session
                // that can resume); if it answers for it, the session is tracked from that answer on, and expires again.
                null when !HttpMethods.IsDelete(context.Request.Method) => InvokeMayCreateSessionAsync(context),

                // Sessions of other hosts (MapMcpCompat) track themselves.
                _ => next(context),
            };
        }

        return HttpMethods.IsPost(context.Request.Method) ? InvokeMayCreateSessionAsync(context) : next(context);
    }

    private async Task InvokeForSessionAsync(HttpContext context, ObservedSession session)
    {
        if (!session.TryEnter())
        {
            await JsonRpcErrorResponse.WriteSessionNotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        var protocolVersion = context.Request.Headers[McpHeaders.ProtocolVersion];
        if (protocolVersion.Count == 1)
        {
            session.ProtocolVersion = protocolVersion[0];
        }

        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            session.Exit(timeProvider.GetTimestamp());
        }

        var status = context.Response.StatusCode;
        if (HttpMethods.IsDelete(context.Request.Method) && status is >= 200 and < 300)
        {
            // Ended by its client.
            if (tracker.Remove(session))
            {
                metrics.SessionEnded(EvictionReason.Deleted);
            }
        }
        else if (status == StatusCodes.Status404NotFound)
        {
            // No longer known to the SDK.
            tracker.Remove(session);
        }
    }

    private async Task InvokeMayCreateSessionAsync(HttpContext context)
    {
        var watch = new NewSessionWatch(context, tracker, evictor, timeProvider);
        context.Response.OnStarting(NewSessionWatch.OnStarting, watch);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            // A response that never started (an empty 2xx) still announces its session in the headers.
            watch.Capture();
            watch.Session?.Exit(timeProvider.GetTimestamp());
        }
    }

    /// <summary>Registers the session a request created or resumed, as soon as the response headers carry its id.</summary>
    private sealed class NewSessionWatch(HttpContext context, SessionTracker tracker, DeleteEndpointEvictor evictor, TimeProvider timeProvider)
    {
        public static readonly Func<object, Task> OnStarting = static state =>
        {
            ((NewSessionWatch)state).Capture();
            return Task.CompletedTask;
        };

        public ObservedSession? Session { get; private set; }

        private bool _captured;

        public void Capture()
        {
            if (_captured)
            {
                return;
            }

            _captured = true;
            var response = context.Response;
            var id = response.Headers[McpHeaders.SessionId];
            if (id.Count != 1 || string.IsNullOrEmpty(id[0]) || response.StatusCode is < 200 or >= 300 ||
                context.GetEndpoint()?.Metadata.GetMetadata<McpCompatEndpointMetadata>() is not null)
            {
                // No new session, or one of MapMcpCompat's, which tracks its own.
                return;
            }

            // The creating request is in flight until it ends: counted in now, out when the middleware returns.
            var origin = new SessionOrigin(context.GetEndpoint(), context.Request.PathBase + context.Request.Path, new RouteValueDictionary(context.Request.RouteValues));
            Session = new ObservedSession(id[0]!, evictor, context.User, origin, timeProvider.GetTimestamp());
            tracker.Add(Session);
        }
    }
}
