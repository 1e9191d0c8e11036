using System.Buffers;
using System.Text.Json;
using McpCompat.Sessions;
namespace McpCompat.Resumption;

/// <summary>
/// What a session that McpCompat evicted needs to come back under its old id, and nothing else: the client's
/// <c>initialize</c> parameters that the rebuilt handshake replays (the negotiated protocol revision, the client's
/// capabilities and info), the user it belongs to, and the logging level the client set. No credentials: the owner is
/// the same id claim that guards a live session. Its size is bounded by <see cref="McpCompatOptions.MaxSessionRecordBytes"/>.
/// A session McpCompat Gateway relays also records where it lives upstream (<see cref="Upstream"/>), while it lives there.
/// </summary>
/// <remarks>
/// Stored as compact UTF-8 JSON, versioned by <c>"v"</c>. <see cref="TryParse"/> refuses anything else with the reason,
/// so a damaged or foreign entry is never half-read; it ignores a <c>"created"</c> time, which earlier builds wrote.
/// </remarks>
internal sealed class SessionRecord
{
    private const int FormatVersion = 1;

    public SessionRecord(string protocolVersion, ReadOnlyMemory<byte> capabilities, ReadOnlyMemory<byte> clientInfo, UserKey? owner, string? loggingLevel, UpstreamSession? upstream = null)
    {
        ProtocolVersion = protocolVersion;
        Capabilities = capabilities;
        ClientInfo = clientInfo;
        Owner = owner;
        LoggingLevel = loggingLevel;
        Upstream = upstream;
    }

    /// <summary>Gets the protocol revision the session negotiated.</summary>
    public string ProtocolVersion { get; }

    /// <summary>Gets the client's <c>capabilities</c> object, as JSON.</summary>
    public ReadOnlyMemory<byte> Capabilities { get; }

    /// <summary>Gets the client's <c>clientInfo</c> object, as JSON.</summary>
    public ReadOnlyMemory<byte> ClientInfo { get; }

    /// <summary>Gets who the session belongs to, or <see langword="null"/> for an anonymous session.</summary>
    public UserKey? Owner { get; }

    /// <summary>Gets the level the client set with <c>logging/setLevel</c>, or <see langword="null"/> when it set none.</summary>
    public string? LoggingLevel { get; }

    /// <summary>
    /// Gets where the session lives upstream, for a session McpCompat Gateway relays and has not ended there; otherwise
    /// <see langword="null"/>.
    /// </summary>
    public UpstreamSession? Upstream { get; }

    /// <summary>The same record with the logging level the client set.</summary>
    public SessionRecord WithLoggingLevel(string level) => new(ProtocolVersion, Capabilities, ClientInfo, Owner, level, Upstream);

    /// <summary>The same record, the session living at <paramref name="upstream"/> (<see langword="null"/>: nowhere).</summary>
    public SessionRecord WithUpstream(UpstreamSession? upstream) => new(ProtocolVersion, Capabilities, ClientInfo, Owner, LoggingLevel, upstream);

    /// <summary>
    /// The record of a session whose handshake sent <paramref name="initializeParams"/> (the request's <c>params</c>)
    /// and negotiated <paramref name="protocolVersion"/>; <see langword="null"/> when the params lack an object
    /// <c>capabilities</c> or <c>clientInfo</c>, which the rebuilt handshake would need.
    /// </summary>
    public static SessionRecord? FromInitialize(JsonElement initializeParams, string protocolVersion, UserKey? owner)
    {
        if (initializeParams.ValueKind != JsonValueKind.Object ||
            !initializeParams.TryGetProperty("capabilities", out var capabilities) || capabilities.ValueKind != JsonValueKind.Object ||
            !initializeParams.TryGetProperty("clientInfo", out var clientInfo) || clientInfo.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return new SessionRecord(protocolVersion, Raw(capabilities), Raw(clientInfo), owner, loggingLevel: null);
    }

    /// <summary>The <c>params</c> of the <c>initialize</c> request that rebuilds the session, as JSON.</summary>
    public void WriteInitializeParams(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("protocolVersion", ProtocolVersion);
        json.WritePropertyName("capabilities");
        json.WriteRawValue(Capabilities.Span, skipInputValidation: true);
        json.WritePropertyName("clientInfo");
        json.WriteRawValue(ClientInfo.Span, skipInputValidation: true);
        json.WriteEndObject();
    }

    public byte[] ToBytes()
    {
        var buffer = new ArrayBufferWriter<byte>(256 + Capabilities.Length + ClientInfo.Length);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("v", FormatVersion);
            json.WritePropertyName("init");
            WriteInitializeParams(json);
            OwnerJson.Write(json, Owner);
            if (LoggingLevel is { } level)
            {
                json.WriteString("level", level);
            }

            if (Upstream is { } upstream)
            {
                json.WriteStartObject("upstream");
                json.WriteString("url", upstream.Endpoint);
                json.WriteString("id", upstream.SessionId);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a stored record; <see langword="null"/> and why when <paramref name="bytes"/> is not one.</summary>
    public static SessionRecord? TryParse(ReadOnlySpan<byte> bytes, out string? problem)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes);
            using var document = JsonDocument.ParseValue(ref reader);
            return Read(document.RootElement, out problem);
        }
        catch (JsonException ex)
        {
            problem = $"not JSON ({ex.Message})";
            return null;
        }
    }

    private static SessionRecord? Read(JsonElement root, out string? problem)
    {
        problem = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            problem = "not a JSON object";
            return null;
        }

        if (!root.TryGetProperty("v", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var v) || v != FormatVersion)
        {
            problem = $"\"v\" is not {FormatVersion}";
            return null;
        }

        if (!root.TryGetProperty("init", out var init) || init.ValueKind != JsonValueKind.Object ||
            !init.TryGetProperty("protocolVersion", out var protocolVersion) || protocolVersion.ValueKind != JsonValueKind.String ||
            protocolVersion.GetString() is not { Length: > 0 } revision)
        {
            problem = "\"init.protocolVersion\" is missing";
            return null;
        }

        if (!init.TryGetProperty("capabilities", out var capabilities) || capabilities.ValueKind != JsonValueKind.Object ||
            !init.TryGetProperty("clientInfo", out var clientInfo) || clientInfo.ValueKind != JsonValueKind.Object)
        {
            problem = "\"init.capabilities\" or \"init.clientInfo\" is not an object";
            return null;
        }

        if (!OwnerJson.TryRead(root, out var owner))
        {
            problem = "\"owner\" is not three strings";
            return null;
        }

        string? level = null;
        if (root.TryGetProperty("level", out var levelValue))
        {
            if (levelValue.ValueKind != JsonValueKind.String)
            {
                problem = "\"level\" is not a string";
                return null;
            }

            level = levelValue.GetString();
        }

        UpstreamSession? upstream = null;
        if (root.TryGetProperty("upstream", out var upstreamValue))
        {
            if (upstreamValue.ValueKind != JsonValueKind.Object ||
                !upstreamValue.TryGetProperty("url", out var url) || url.ValueKind != JsonValueKind.String || url.GetString() is not { Length: > 0 } endpoint ||
                !upstreamValue.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || id.GetString() is not { Length: > 0 } upstreamId)
            {
                problem = "\"upstream\" is not an object with \"url\" and \"id\"";
                return null;
            }

            upstream = new UpstreamSession(endpoint, upstreamId);
        }

        return new SessionRecord(revision, Raw(capabilities), Raw(clientInfo), owner, level, upstream);
    }

    private static byte[] Raw(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            element.WriteTo(json);
        }

        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>Where a session McpCompat Gateway relays lives upstream: the upstream's endpoint and the session's id there.</summary>
internal sealed record UpstreamSession(string Endpoint, string SessionId);
