using System.Text.Json;
using System.Text.Unicode;

namespace McpCompat.Hosting;

/// <summary>
/// A POSTed JSON-RPC message as the endpoint reads it before the SDK does: whether it is <c>initialize</c>, and the
/// request's id, with which the endpoint answers the request itself when its session ends under it.
/// </summary>
internal sealed class PostedMessage
{
    private PostedMessage(ReadOnlyMemory<byte> body, bool isInitialize, JsonElement? id, string? initializeFault)
    {
        Body = body;
        IsInitialize = isInitialize;
        Id = id;
        InitializeFault = initializeFault;
    }

    /// <summary>Gets the message as the client sent it.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    public bool IsInitialize { get; }

    /// <summary>Gets the request's id (a string or an integer), or <see langword="null"/> for a notification or a response.</summary>
    public JsonElement? Id { get; }

    /// <summary>
    /// Gets why an <c>initialize</c> message cannot start a session, or <see langword="null"/> when it can (or is not
    /// <c>initialize</c>).
    /// </summary>
    /// <remarks>
    /// The JSON-RPC 2.0 shape of the handshake is checked here, before a session exists, rather than left to the SDK:
    /// its builds differ (the pipe API shape accepts messages the message API shape throws on, and an <c>initialize</c>
    /// notification is queued by both without an answer), so what a malformed <c>initialize</c> gets would depend on
    /// the SDK version. What passes here can still fail in the SDK's server (say, <c>params</c> lacking a member it
    /// requires): <see cref="PostRequestHandler"/> keeps a session only once the transport has written an initialize
    /// result.
    /// </remarks>
    public string? InitializeFault { get; }

    /// <summary>Reads the message whose JSON object is <paramref name="root"/>.</summary>
    public static PostedMessage Read(ReadOnlyMemory<byte> body, JsonElement root)
    {
        var isInitialize = root.TryGetProperty("method", out var method) && method.ValueKind == JsonValueKind.String && method.ValueEquals("initialize");
        JsonElement? id = root.TryGetProperty("id", out var value) && IsRequestId(value) ? value.Clone() : null;
        return new PostedMessage(body, isInitialize, id, isInitialize ? FindInitializeFault(body, root, id) : null);
    }

    private static bool IsRequestId(JsonElement id) =>
        id.ValueKind == JsonValueKind.String || (id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out _));

    private static string? FindInitializeFault(ReadOnlyMemory<byte> body, JsonElement root, JsonElement? id)
    {
        if (!Utf8.IsValid(body.Span))
        {
            return "the body is not valid UTF-8";
        }

        if (!root.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String || !version.ValueEquals("2.0"))
        {
            return "\"jsonrpc\" must be \"2.0\"";
        }

        if (id is null)
        {
            return "initialize must be a request with an id, a string or an integer";
        }

        return root.TryGetProperty("params", out var parameters) && parameters.ValueKind == JsonValueKind.Object
            ? null
            : "\"params\" must be an object";
    }
}
