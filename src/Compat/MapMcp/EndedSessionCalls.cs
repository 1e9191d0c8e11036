using System.Threading.Channels;
using McpCompat.Http;
using Microsoft.AspNetCore.Http;

namespace McpCompat.MapMcp;

/// <summary>
/// A call on the SDK's <c>MapMcp</c> whose session ended under it (its client's DELETE, McpCompat's eviction, the
/// fleet's notice): the SDK's handler lets the session's end escape as an exception (a cancelled task, a closed
/// channel, a disposed object), which Kestrel answers with 500 or a reset connection and logs as unhandled. Once the
/// SDK no longer holds the session, McpCompat answers what the SDK answers for an ended session instead: 404 with
/// <c>-32001</c> while nothing has been sent, or an answer that ends where it stands.
/// </summary>
internal sealed class EndedSessionCalls(SdkSessionTable sessions)
{
    public async Task ServeAsync(HttpContext context, RequestDelegate sdk)
    {
        try
        {
            await sdk(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException or ObjectDisposedException &&
            !context.RequestAborted.IsCancellationRequested && Ended(context))
        {
            if (!context.Response.HasStarted)
            {
                await JsonRpcErrorResponse.WriteSessionNotFoundAsync(context).ConfigureAwait(false);
            }
        }
    }

    private bool Ended(HttpContext context) =>
        context.Request.Headers[McpHeaders.SessionId].ToString() is { Length: > 0 } id && sessions.Holds(id) == false;
}
