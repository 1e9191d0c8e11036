using System.Buffers;
using System.Text.Json;
using McpCompat.Http;
using Microsoft.AspNetCore.Http;

namespace McpCompat.Hosting;

/// <summary>
/// Reads a POST's body, at most <see cref="MaxBodyBytes"/>, and checks that it is one JSON-RPC message. Each check
/// that fails answers the request itself.
/// </summary>
internal sealed class RequestBodyReader(RefusalWriter refusals)
{
    /// <summary>The largest request body accepted: 4 MiB.</summary>
    public const int MaxBodyBytes = 4 * 1024 * 1024;

    /// <summary>Returns the whole body, or answers 413 and returns null when it is larger than <see cref="MaxBodyBytes"/>.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            await RefuseTooLargeAsync(context).ConfigureAwait(false);
            return null;
        }

        var reader = context.Request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
            if (read.Buffer.Length > MaxBodyBytes)
            {
                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                await RefuseTooLargeAsync(context).ConfigureAwait(false);
                return null;
            }

            if (read.IsCompleted)
            {
                var bytes = read.Buffer.ToArray();
                reader.AdvanceTo(read.Buffer.End);
                return bytes;
            }

            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    /// <summary>Returns the body read as one JSON-RPC message, or answers 400 and returns null when it is not one.</summary>
    public async ValueTask<PostedMessage?> ParseAsync(HttpContext context, ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                await refusals.WriteAsync(context, StatusCodes.Status400BadRequest, JsonRpcErrorCodes.InvalidRequest, "Invalid Request: the body must be one JSON-RPC message").ConfigureAwait(false);
                return null;
            }

            return PostedMessage.Read(body, document.RootElement);
        }
        catch (JsonException)
        {
            await refusals.WriteAsync(context, StatusCodes.Status400BadRequest, JsonRpcErrorCodes.ParseError, "Parse error: the body is not JSON").ConfigureAwait(false);
            return null;
        }
    }

    private Task RefuseTooLargeAsync(HttpContext context) =>
        refusals.RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, $"Payload Too Large: at most {MaxBodyBytes} bytes");
}
