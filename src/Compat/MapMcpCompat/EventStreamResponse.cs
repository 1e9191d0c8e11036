using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;

namespace McpCompat.MapMcpCompat;

/// <summary>Starts a response as an SSE stream that no proxy or compression buffers.</summary>
internal static class EventStreamResponse
{
    public static void Start(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ContentType = "text/event-stream";
        headers.CacheControl = "no-cache,no-store";
        headers.ContentEncoding = "identity";
        headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }
}
