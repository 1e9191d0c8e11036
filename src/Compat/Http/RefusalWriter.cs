using System.Text.Json;
using McpCompat.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace McpCompat.Http;

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

    /// <summary>Answers 503 with <c>Retry-After</c>: the store of session records did not answer within <paramref name="timeout"/>.</summary>
    public Task StoreUnavailableAsync(HttpContext context, TimeSpan timeout)
    {
        context.Response.Headers.RetryAfter = JsonRpcErrorResponse.RetryAfterSeconds(timeout);
        return RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, JsonRpcErrorResponse.StoreUnavailableMessage);
    }

    /// <summary>
    /// Ends a call whose session ended under it: 404 with <see cref="JsonRpcErrorCodes.SessionNotFound"/> while nothing
    /// of its answer has been sent; on an SSE answer already under way, that error as its last event, for the request's
    /// id (a notification's answer, having none, just ends).
    /// </summary>
    public async Task SessionEndedAsync(HttpContext context, JsonElement? requestId)
    {
        if (!context.Response.HasStarted)
        {
            await SessionNotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        Log.RequestRefused(logger, context.Request.Method, context.Response.StatusCode, $"{JsonRpcErrorResponse.SessionNotFoundMessage}: the session ended while the request was in flight");
        if (requestId is { } id)
        {
            try
            {
                await JsonRpcErrorResponse.WriteEventAsync(context, JsonRpcErrorCodes.SessionNotFound, JsonRpcErrorResponse.SessionNotFoundMessage, id).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException)
            {
                // The client is gone as well: nobody is left to tell.
            }
        }
    }

    /// <summary>Refuses with the JSON-RPC error <paramref name="error"/> the SDK's server answered the request with.</summary>
    public Task RelayAsync(HttpContext context, int status, ReadOnlyMemory<byte> error, string reason)
    {
        Log.RequestRefused(logger, context.Request.Method, status, reason);
        return JsonRpcErrorResponse.WriteAsync(context, status, error);
    }

    /// <summary>
    /// Refuses a protocol revision with 400, <see cref="JsonRpcErrorCodes.UnsupportedProtocolVersion"/> and the revisions
    /// <paramref name="supported"/> in <c>data</c>, from which a client that speaks several picks another.
    /// </summary>
    public Task RefuseVersionAsync(HttpContext context, string requested, IReadOnlyList<string> supported, string message, JsonElement? requestId = null)
    {
        Log.RequestRefused(logger, context.Request.Method, StatusCodes.Status400BadRequest, message);
        return JsonRpcErrorResponse.WriteAsync(context, StatusCodes.Status400BadRequest, JsonRpcErrorCodes.UnsupportedProtocolVersion, message, requestId, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("supported");
            foreach (var version in supported)
            {
                json.WriteStringValue(version);
            }

            json.WriteEndArray();
            json.WriteString("requested", requested);
            json.WriteEndObject();
        });
    }

    /// <summary>Refuses with a JSON-RPC error for the request's <paramref name="id"/> (null when it has none or is unknown).</summary>
    public Task WriteAsync(HttpContext context, int status, int code, string message, JsonElement? id = null)
    {
        Log.RequestRefused(logger, context.Request.Method, status, message);
        return JsonRpcErrorResponse.WriteAsync(context, status, code, message, id);
    }
}
