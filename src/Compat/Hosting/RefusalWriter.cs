using McpCompat.Http;
using McpCompat.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace McpCompat.Hosting;

/// <summary>
/// Answers a request <c>MapMcpCompat</c>'s endpoint refuses: logs the refusal (<c>RequestRefused</c>), then writes it as
/// a JSON-RPC error through <see cref="JsonRpcErrorResponse"/>.
/// </summary>
internal sealed class RefusalWriter(ILogger logger)
{
    /// <summary>Refuses with <see cref="JsonRpcErrorCodes.ServerError"/>, the code of every refusal but a bad message or an unknown session.</summary>
    public Task RefuseAsync(HttpContext context, int status, string message) =>
        WriteAsync(context, status, JsonRpcErrorCodes.ServerError, message);

    public Task SessionNotFoundAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status404NotFound, JsonRpcErrorCodes.SessionNotFound, JsonRpcErrorResponse.SessionNotFoundMessage);

    public Task WriteAsync(HttpContext context, int status, int code, string message)
    {
        Log.RequestRefused(logger, context.Request.Method, status, message);
        return JsonRpcErrorResponse.WriteAsync(context, status, code, message);
    }
}
