using System.Buffers;
using System.Text.Json;
using McpCompat.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace McpCompat.Http;

/// <summary>
/// Reads a POST's body, at most <see cref="MaxBodyBytes"/>, and checks that it is one JSON-RPC message. Each check
/// that fails answers the request itself. A body the server cannot read — sent slower than Kestrel's minimum data
/// rate, broken off, or malformed — is the client's doing: logged at Debug, answered when the response can still be
/// written, and never left to escape as an unhandled exception.
/// </summary>
internal sealed class RequestBodyReader(RefusalWriter refusals, ILogger logger)
{
    /// <summary>The largest request body accepted: 4 MiB.</summary>
    public const int MaxBodyBytes = 4 * 1024 * 1024;


    /// <summary>
    /// Returns the whole body, or answers 413 and returns null when it is larger than <see cref="MaxBodyBytes"/>; returns
    /// null, having answered what can still be answered, when the body cannot be read.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            await RefuseTooLargeAsync(context).ConfigureAwait(false);
            return null;
        }

        try
        {
            return await ReadWholeAsync(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is BadHttpRequestException or IOException ||
            (ex is OperationCanceledException && context.RequestAborted.IsCancellationRequested))
        {
            Log.RequestBodyUnreadable(logger, context.Request.Method, ex.Message, ex);
            await RefuseUnreadableAsync(context, ex).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>
    /// Returns the body read as one JSON-RPC message, or answers 400 and returns null when it is not one. With
    /// <paramref name="asSdkMessage"/> (the message API shape), the SDK's serializer reads it, once, for the transport
    /// too; <c>initialize</c> and what that serializer refuses are read again as raw JSON, to check their shape and to
    /// say what is wrong.
    /// </summary>
    public async ValueTask<PostedMessage?> ParseAsync(HttpContext context, ReadOnlyMemory<byte> body, bool asSdkMessage = false)
    {
        var parsed = asSdkMessage ? TryDeserialize(body) : null;
        if (parsed is not null && PostedMessage.From(body, parsed) is { IsInitialize: false } message)
        {
            return message;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                await RefuseAsync(context, BodyShape.NotObject).ConfigureAwait(false);
                return null;
            }

            return PostedMessage.Read(body, document.RootElement, parsed);
        }
        catch (JsonException)
        {
            await RefuseAsync(context, BodyShape.NotJson).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>
    /// Checks, as <see cref="ParseAsync"/> does, that <paramref name="body"/> is one JSON object (else answers 400 and
    /// returns <see langword="false"/>), reading no more of it than its top-level <c>method</c>: the method returned
    /// is the entry of <paramref name="methods"/> it names (that very string), or <see langword="null"/>. No document is
    /// built and no string allocated: the reading of a proxy that relays the bytes as they are.
    /// </summary>
    public async ValueTask<(bool Valid, string? Method)> ReadMethodAsync(HttpContext context, ReadOnlyMemory<byte> body, string[] methods)
    {
        var shape = ScanMethod(body.Span, methods, out var method);
        if (shape == BodyShape.Object)
        {
            return (true, method);
        }

        await RefuseAsync(context, shape).ConfigureAwait(false);
        return (false, null);
    }

    /// <summary>Answers 400 for a body that is not JSON (parse error) or not one JSON object (invalid request).</summary>
    private Task RefuseAsync(HttpContext context, BodyShape shape) => shape == BodyShape.NotJson
        ? refusals.WriteAsync(context, StatusCodes.Status400BadRequest, JsonRpcErrorCodes.ParseError, "Parse error: the body is not JSON")
        : refusals.WriteAsync(context, StatusCodes.Status400BadRequest, JsonRpcErrorCodes.InvalidRequest, "Invalid Request: the body must be one JSON-RPC message");

    private static BodyShape ScanMethod(ReadOnlySpan<byte> body, string[] methods, out string? method)
    {
        method = null;
        var reader = new Utf8JsonReader(body);
        try
        {
            if (!reader.Read())
            {
                return BodyShape.NotJson;
            }

            var isObject = reader.TokenType == JsonTokenType.StartObject;
            while (reader.Read())
            {
                if (isObject && reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("method"u8) &&
                    reader.Read() && reader.TokenType == JsonTokenType.String)
                {
                    method = null;
                    foreach (var name in methods)
                    {
                        if (reader.ValueTextEquals(name))
                        {
                            method = name;
                            break;
                        }
                    }
                }
            }

            return isObject ? BodyShape.Object : BodyShape.NotObject;
        }
        catch (JsonException)
        {
            return BodyShape.NotJson;
        }
    }

    private enum BodyShape
    {
        NotJson,
        NotObject,
        Object,
    }

    private static JsonRpcMessage? TryDeserialize(ReadOnlyMemory<byte> body)
    {
        try
        {
            return JsonSerializer.Deserialize(body.Span, McpJsonTypes.Message);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async ValueTask<ReadOnlyMemory<byte>?> ReadWholeAsync(HttpContext context)
    {
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

    /// <summary>
    /// Answers a body the server could not read with the status the server chose (408 too slow, 413 over its limit, 400
    /// malformed) while the client is still there and nothing has been sent; otherwise answers nothing more.
    /// </summary>
    private async Task RefuseUnreadableAsync(HttpContext context, Exception ex)
    {
        if (ex is not BadHttpRequestException bad || context.Response.HasStarted || context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        try
        {
            await refusals.RefuseAsync(context, bad.StatusCode, $"{ReasonPhrases.GetReasonPhrase(bad.StatusCode)}: {bad.Message}").ConfigureAwait(false);
        }
        catch (Exception write) when (write is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The connection is already closing: there is no one left to answer.
        }
    }

    private Task RefuseTooLargeAsync(HttpContext context) =>
        refusals.RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, $"Payload Too Large: at most {MaxBodyBytes} bytes");
}
