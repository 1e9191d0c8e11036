using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Text.Json;
using System.Text.Unicode;
using ModelContextProtocol.Protocol;
using ModelContextProtocol;

namespace McpCompat.Http;

/// <summary>
/// A POSTed JSON-RPC message as the endpoint reads it before the SDK does: whether it is <c>initialize</c>, and the
/// request's id, with which the endpoint answers the request itself when its session ends under it.
/// </summary>
internal sealed class PostedMessage
{
    private const string MetaProtocolVersionKey = "io.modelcontextprotocol/protocolVersion";
    private const string MetaClientCapabilitiesKey = "io.modelcontextprotocol/clientCapabilities";

    private readonly JsonElement? _id;
    private readonly RequestId _typedId;
    private readonly bool _hasTypedId;

    private PostedMessage(ReadOnlyMemory<byte> body, string? method, JsonElement? id, string? initializeFault, JsonRpcMessage? parsed = null)
    {
        Body = body;
        Parsed = parsed;
        Method = method;
        IsInitialize = method == "initialize";
        _id = id;
        InitializeFault = initializeFault;
    }

    private PostedMessage(ReadOnlyMemory<byte> body, JsonRpcMessage parsed, string? method, RequestId? id)
    {
        Body = body;
        Parsed = parsed;
        Method = method;
        IsInitialize = method == "initialize";
        _typedId = id ?? default;
        _hasTypedId = id is not null;
    }

    /// <summary>Gets the message as the client sent it.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    public bool IsInitialize { get; }

    /// <summary>Gets the method of a request or notification, or <see langword="null"/> for a response.</summary>
    public string? Method { get; }

    /// <summary>Gets whether the message is a request (a method and an id), which expects an answer.</summary>
    public bool IsRequest => Method is not null && (_hasTypedId || _id is not null);

    /// <summary>Gets <c>params._meta["io.modelcontextprotocol/protocolVersion"]</c>, where the message has it (2026-07-28).</summary>
    public string? MetaProtocolVersion { get; private init; }

    /// <summary>Gets whether <c>params._meta["io.modelcontextprotocol/clientCapabilities"]</c> is an object (2026-07-28).</summary>
    public bool HasClientCapabilities { get; private init; }

    /// <summary>
    /// Gets what names the target of the request, which the <c>Mcp-Name</c> header must repeat (2026-07-28):
    /// <c>params.name</c> of <c>tools/call</c> and <c>prompts/get</c>, <c>params.uri</c> of <c>resources/read</c>;
    /// <see langword="null"/> for other methods, or "" when the request lacks it.
    /// </summary>
    public string? RoutingName { get; private init; }

    /// <summary>Gets the message as the SDK's type, where it was read as one (the message API shape), or <see langword="null"/>.</summary>
    public JsonRpcMessage? Parsed { get; }

    /// <summary>Gets the request's id (a string or an integer), or <see langword="null"/> for a notification or a response.</summary>
    public JsonElement? Id => _hasTypedId ? JsonSerializer.SerializeToElement(_typedId, IdType) : _id;

    private static JsonTypeInfo<RequestId> IdType => (JsonTypeInfo<RequestId>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(RequestId));

    /// <summary>
    /// Gets why an <c>initialize</c> message cannot start a session, or <see langword="null"/> when it can (or is not
    /// <c>initialize</c>).
    /// </summary>
    /// <remarks>
    /// The JSON-RPC 2.0 shape of the handshake is checked here, before a session exists, rather than left to the SDK:
    /// its builds differ (the pipe API shape accepts messages the message API shape throws on, and an <c>initialize</c>
    /// notification is queued by both without an answer), so what a malformed <c>initialize</c> gets would depend on
    /// the SDK version. What passes here can still fail in the SDK's server (say, <c>params</c> lacking a member it
    /// requires): <c>MapMcpCompat</c> keeps a session only once the transport has written an initialize
    /// result.
    /// </remarks>
    public string? InitializeFault { get; }

    /// <summary>Reads the message whose JSON object is <paramref name="root"/>, and keeps the SDK's reading of it, if any.</summary>
    public static PostedMessage Read(ReadOnlyMemory<byte> body, JsonElement root, JsonRpcMessage? parsed = null)
    {
        var method = root.TryGetProperty("method", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null;
        JsonElement? id = root.TryGetProperty("id", out var value) && IsRequestId(value) ? value.Clone() : null;
        var hasParams = root.TryGetProperty("params", out var parameters) && parameters.ValueKind == JsonValueKind.Object;
        var hasMeta = hasParams && parameters.TryGetProperty("_meta", out var meta) && meta.ValueKind == JsonValueKind.Object;
        var routingKey = RoutingKey(method);

        return new PostedMessage(body, method, id, method == "initialize" ? FindInitializeFault(body, root, id) : null, parsed)
        {
            MetaProtocolVersion = hasMeta && parameters.GetProperty("_meta").TryGetProperty(MetaProtocolVersionKey, out var version) && version.ValueKind == JsonValueKind.String ? version.GetString() : null,
            HasClientCapabilities = hasMeta && parameters.GetProperty("_meta").TryGetProperty(MetaClientCapabilitiesKey, out var capabilities) && capabilities.ValueKind == JsonValueKind.Object,
            RoutingName = routingKey is null ? null
                : hasParams && parameters.TryGetProperty(routingKey, out var target) && target.ValueKind == JsonValueKind.String ? target.GetString() : string.Empty,
        };
    }

    /// <summary>
    /// Reads a message the SDK's serializer has already read (anything but <c>initialize</c>, whose shape is checked on
    /// the raw JSON): one pass over the body, as the SDK's host makes.
    /// </summary>
    public static PostedMessage From(ReadOnlyMemory<byte> body, JsonRpcMessage parsed)
    {
        var (method, id, parameters) = parsed switch
        {
            JsonRpcRequest request => (request.Method, (RequestId?)request.Id, request.Params),
            JsonRpcNotification notification => (notification.Method, null, notification.Params),
            _ => ((string?)null, (RequestId?)null, (JsonNode?)null),
        };
        var meta = (parameters as JsonObject)?["_meta"] as JsonObject;
        var routingKey = RoutingKey(method);
        return new PostedMessage(body, parsed, method, id)
        {
            MetaProtocolVersion = meta?[MetaProtocolVersionKey] is JsonValue version && version.TryGetValue(out string? text) ? text : null,
            HasClientCapabilities = meta?[MetaClientCapabilitiesKey] is JsonObject,
            RoutingName = routingKey is null ? null
                : (parameters as JsonObject)?[routingKey] is JsonValue target && target.TryGetValue(out string? value) ? value : string.Empty,
        };
    }

    private static string? RoutingKey(string? method) => method switch
    {
        "tools/call" or "prompts/get" => "name",
        "resources/read" => "uri",
        _ => null,
    };

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
