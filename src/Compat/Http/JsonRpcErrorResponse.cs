using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace McpCompat.Http;

/// <summary>Writes a JSON-RPC error as the whole HTTP response: the one shape every refusal of McpCompat takes.</summary>
internal static class JsonRpcErrorResponse
{
    /// <summary>The MCP SDKs' message for an unknown or ended session (HTTP 404, <see cref="JsonRpcErrorCodes.SessionNotFound"/>).</summary>
    public const string SessionNotFoundMessage = "Session not found";

    public static Task WriteSessionNotFoundAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status404NotFound, JsonRpcErrorCodes.SessionNotFound, SessionNotFoundMessage);

    public static Task WriteAsync(HttpContext context, int status, int code, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("jsonrpc", "2.0");
            json.WriteStartObject("error");
            json.WriteNumber("code", code);
            json.WriteString("message", message);
            json.WriteEndObject();
            json.WriteNull("id");
            json.WriteEndObject();
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        return context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).AsTask();
    }
}
