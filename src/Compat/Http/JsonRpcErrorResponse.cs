using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace McpCompat.Http;

/// <summary>
/// Writes a JSON-RPC error: as the whole HTTP response (the one shape every refusal of McpCompat takes), or as one more
/// event on an SSE response already under way.
/// </summary>
internal static class JsonRpcErrorResponse
{
    /// <summary>The MCP SDKs' message for an unknown or ended session (HTTP 404, <see cref="JsonRpcErrorCodes.SessionNotFound"/>).</summary>
    public const string SessionNotFoundMessage = "Session not found";

    /// <summary>
    /// The answer to a request that needs the store of session records when it did not answer in time or failed: HTTP
    /// 503 with <c>Retry-After</c>; nothing was done, and the client may try again.
    /// </summary>
    public const string StoreUnavailableMessage = "Service Unavailable: the store of session records did not answer in time (McpCompat:SessionStoreTimeout); nothing was done, try again";

    /// <summary>The <c>Retry-After</c> seconds of a 503 for a store that did not answer within <paramref name="timeout"/>: at least 1.</summary>
    public static string RetryAfterSeconds(TimeSpan timeout) =>
        Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static Task WriteSessionNotFoundAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status404NotFound, JsonRpcErrorCodes.SessionNotFound, SessionNotFoundMessage);

    public static Task WriteAsync(HttpContext context, int status, int code, string message, JsonElement? id = null, Action<Utf8JsonWriter>? data = null)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        Format(buffer, code, message, id, data);
        return WriteAsync(context, status, buffer.WrittenMemory);
    }

    /// <summary>Writes <paramref name="error"/>, a JSON-RPC error message already formatted, as the whole response.</summary>
    public static Task WriteAsync(HttpContext context, int status, ReadOnlyMemory<byte> error)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = error.Length;
        return context.Response.Body.WriteAsync(error, context.RequestAborted).AsTask();
    }

    /// <summary>
    /// Appends the error for request <paramref name="id"/> to a started SSE response, as the SDK's transport writes its
    /// messages (<c>event: message</c>), and flushes it.
    /// </summary>
    public static async Task WriteEventAsync(HttpContext context, int code, string message, JsonElement id)
    {
        var buffer = new ArrayBufferWriter<byte>(160);
        buffer.Write("event: message\ndata: "u8);
        Format(buffer, code, message, id);
        buffer.Write("\n\n"u8);
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static void Format(IBufferWriter<byte> buffer, int code, string message, JsonElement? id, Action<Utf8JsonWriter>? data = null)
    {
        using var json = new Utf8JsonWriter(buffer);
        json.WriteStartObject();
        json.WriteString("jsonrpc", "2.0");
        json.WriteStartObject("error");
        json.WriteNumber("code", code);
        json.WriteString("message", message);
        if (data is not null)
        {
            json.WritePropertyName("data");
            data(json);
        }

        json.WriteEndObject();
        json.WritePropertyName("id");
        if (id is { } value)
        {
            value.WriteTo(json);
        }
        else
        {
            json.WriteNullValue();
        }

        json.WriteEndObject();
    }
}
