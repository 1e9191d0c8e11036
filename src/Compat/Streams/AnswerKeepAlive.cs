using Microsoft.AspNetCore.Http;

namespace McpCompat.Streams;

/// <summary>
/// Keep-alives on a POST's answer that <c>MapMcpCompat</c> sends as events (a long call's, a <c>subscriptions/listen</c>
/// stream's): the SDK's transport writes the answer through a <see cref="KeepAliveStream"/>, which starts with the
/// response (its first event) and is never ended for its age. Its <see cref="KeepAliveStream.Token"/> is the call's
/// cancellation: a keep-alive that cannot be written ends the call.
/// </summary>
internal static class AnswerKeepAlive
{
    /// <summary>Wraps the response body of <paramref name="context"/>; dispose the stream when the answer is written.</summary>
    public static KeepAliveStream Open(HttpContext context, KeepAliveScheduler scheduler)
    {
        var stream = scheduler.Wrap(context.Response.Body, ageBounded: false, context.RequestAborted, CancellationToken.None);
        if (scheduler.Enabled)
        {
            context.Response.OnStarting(static state =>
            {
                ((KeepAliveStream)state).Start();
                return Task.CompletedTask;
            }, stream);
        }

        return stream;
    }

    /// <summary>Ends the keep-alives; when one could not be written, the client is gone: its connection is closed.</summary>
    public static async Task CloseAsync(HttpContext context, KeepAliveStream stream)
    {
        stream.Stop();
        await stream.DisposeAsync().ConfigureAwait(false);
        if (stream.Failed)
        {
            context.Abort();
        }
    }
}
