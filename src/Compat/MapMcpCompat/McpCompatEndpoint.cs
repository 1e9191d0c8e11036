using McpCompat.Http;
using Microsoft.AspNetCore.Http;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// The Streamable HTTP endpoint <c>MapMcpCompat</c> maps: POST (initialize creates a session), GET (the server's
/// SSE stream), DELETE (ends the session); sessions are tracked and swept like every other McpCompat session.
/// Checks Host and Origin, then hands the request to the handler of its method.
/// </summary>
internal sealed class McpCompatEndpoint(
    CoreTransportApi api,
    RequestValidator validator,
    RefusalWriter refusals,
    PostRequestHandler post,
    GetRequestHandler get,
    DeleteRequestHandler delete)
{
    public CoreTransportApi Api => api;

    public Task InvokeAsync(HttpContext context)
    {
        if (validator.RefuseForeignHostOrOrigin(context) is { } refused)
        {
            return refused;
        }

        var method = context.Request.Method;
        if (HttpMethods.IsPost(method))
        {
            return post.HandleAsync(context);
        }

        // A revision without sessions has neither the GET stream nor DELETE: only POST, as the SDK's host answers.
        if ((HttpMethods.IsGet(method) || HttpMethods.IsDelete(method)) &&
            validator.IsSessionless(context.Request.Headers[McpHeaders.ProtocolVersion].ToString()))
        {
            context.Response.Headers.Allow = HttpMethods.Post;
            return refusals.RefuseAsync(context, StatusCodes.Status405MethodNotAllowed,
                $"Method Not Allowed: The {method} endpoint is not supported by protocol version '{context.Request.Headers[McpHeaders.ProtocolVersion]}'; use POST.");
        }

        if (HttpMethods.IsGet(method))
        {
            return get.HandleAsync(context);
        }

        if (HttpMethods.IsDelete(method))
        {
            return delete.HandleAsync(context);
        }

        context.Response.Headers.Allow = "GET, POST, DELETE";
        return refusals.RefuseAsync(context, StatusCodes.Status405MethodNotAllowed, $"Method Not Allowed: {method}");
    }
}
