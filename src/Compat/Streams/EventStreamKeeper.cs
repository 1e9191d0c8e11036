using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;

namespace McpCompat.Streams;

/// <summary>
/// Keep-alives on SSE streams that another handler writes: the SDK's own host (<c>MapMcp</c>, its GET streams and its POST
/// answers sent as events, a long call's or a <c>subscriptions/listen</c> stream's) and the gateway's relayed answers.
/// The handler writes through a <see cref="KeepAliveStream"/> from the moment its response is an event stream, and sees
/// the request aborted when a keep-alive cannot be written, so its stream (or call) ends, its session falls idle and
/// expires. No served SDK build (and no upstream a gateway relays) writes anything on a quiet stream, so without this a
/// client gone without closing its connection keeps its session, or its call, alive for as long as the process runs.
/// </summary>
internal sealed class EventStreamKeeper(KeepAliveScheduler scheduler, TimeProvider timeProvider)
{
    /// <summary>Gets a value indicating whether event streams get keep-alives (<see cref="McpCompatOptions.KeepAliveInterval"/> is not infinite).</summary>
    public bool Enabled => scheduler.Enabled;

    /// <summary>Serves a GET stream (<paramref name="sdk"/> writes it) with keep-alives once it is an event stream; ended for its age where that is bounded.</summary>
    public Task ServeAsync(HttpContext context, RequestDelegate sdk) => ServeAsync(context, sdk, ageBounded: true);

    /// <summary>
    /// Serves a POST's answer (<paramref name="sdk"/> writes it) with keep-alives once it is an event stream; never ended
    /// for its age.
    /// </summary>
    public Task ServeAnswerAsync(HttpContext context, RequestDelegate sdk) => ServeAsync(context, sdk, ageBounded: false);

    private async Task ServeAsync(HttpContext context, RequestDelegate sdk, bool ageBounded)
    {
        var bodyFeature = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        var lifetimeFeature = context.Features.Get<IHttpRequestLifetimeFeature>();
        var stream = new KeepAliveStream(context.Response.Body, scheduler, timeProvider, context.RequestAborted) { AgeBounded = ageBounded };
        context.Response.Body = stream;
        context.Features.Set<IHttpResponseBodyFeature>(new EventStreamReadiness(context.Features.GetRequiredFeature<IHttpResponseBodyFeature>(), context, stream));
        context.Features.Set<IHttpRequestLifetimeFeature>(new StreamLifetime(lifetimeFeature, stream.Token));
        context.Response.OnStarting(static state =>
        {
            var (context, stream) = ((HttpContext, KeepAliveStream))state;
            if (context.Response.ContentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true)
            {
                stream.Start();
            }

            return Task.CompletedTask;
        }, (context, stream));

        try
        {
            await sdk(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stream.Aged)
        {
            // Ended for its age (McpCompatOptions.MaxStreamAge): the SDK's first GET stream returns on the cancellation,
            // but its resumed stream (Last-Event-ID) lets it escape. Either way the stream ends cleanly, between events,
            // and the client resumes it.
        }
        finally
        {
            stream.Stop();
            context.Features.Set(bodyFeature);
            context.Features.Set(lifetimeFeature);
            await stream.DisposeAsync().ConfigureAwait(false);
        }

        if (stream.Failed)
        {
            // The client is gone without closing its connection: the SDK has ended its stream; close the connection.
            context.Abort();
        }
    }

    /// <summary>
    /// The response body as the SDK sees it: the SDK readies an event stream (its headers, then buffering off) before its
    /// transport writes anything, and keep-alives start there. A build whose transport writes nothing until the call's
    /// first message (0.8.0-preview.1 without an event store) would otherwise leave a long call's answer without
    /// keep-alives until then; the first keep-alive sends the headers the SDK set.
    /// </summary>
    private sealed class EventStreamReadiness(IHttpResponseBodyFeature inner, HttpContext context, KeepAliveStream stream) : IHttpResponseBodyFeature
    {
        public Stream Stream => inner.Stream;

        public System.IO.Pipelines.PipeWriter Writer => inner.Writer;

        public void DisableBuffering()
        {
            inner.DisableBuffering();
            if (context.Response.ContentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true)
            {
                stream.Start();
            }
        }

        public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
            inner.SendFileAsync(path, offset, count, cancellationToken);

        public Task CompleteAsync() => inner.CompleteAsync();
    }

    /// <summary>The request's lifetime as the SDK sees it: aborted also when the stream's keep-alive fails.</summary>
    private sealed class StreamLifetime(IHttpRequestLifetimeFeature? inner, CancellationToken aborted) : IHttpRequestLifetimeFeature
    {
        public CancellationToken RequestAborted
        {
            get => aborted;
            set
            {
                // McpCompat's keep-alive stream owns the token while the SDK serves its GET stream.
            }
        }

        public void Abort() => inner?.Abort();
    }
}
