using System.Buffers;
using System.Text.Json;
using McpCompat.Resumption;
using McpCompat.Sessions;

namespace McpCompat.Gateway;

/// <summary>
/// What a session's client told its server when it started, enough to start it again on an upstream that lost it, kept
/// in McpCompat's record format (<see cref="SessionRecord"/>: the <c>initialize</c> params, the owner, the logging level
/// last set), and whether <c>notifications/initialized</c> followed.
/// </summary>
internal sealed class GatewayHandshake
{
    private static readonly string[] LoggingLevels = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];

    private SessionRecord _record;
    private volatile bool _initialized;

    private GatewayHandshake(SessionRecord record, bool initialized)
    {
        _record = record;
        _initialized = initialized;
    }

    /// <summary>Gets the handshake as McpCompat records it (without where the session lives upstream).</summary>
    public SessionRecord Record => Volatile.Read(ref _record);

    /// <summary>Gets a value indicating whether the client sent <c>notifications/initialized</c>.</summary>
    public bool Initialized => _initialized;

    /// <summary>Gets the logging level the client set last, or <see langword="null"/>.</summary>
    public string? LoggingLevel => Record.LoggingLevel;

    /// <summary>
    /// Reads the params of an <c>initialize</c> body from <paramref name="owner"/>; <see langword="null"/> when they lack
    /// what a replay needs (<c>protocolVersion</c>, <c>capabilities</c>, <c>clientInfo</c>), or when their record would
    /// be larger than <paramref name="maxBytes"/>.
    /// </summary>
    public static GatewayHandshake? From(ReadOnlyMemory<byte> initializeBody, UserKey? owner, int maxBytes)
    {
        using var document = JsonDocument.Parse(initializeBody);
        if (!document.RootElement.TryGetProperty("params", out var parameters) || parameters.ValueKind != JsonValueKind.Object ||
            !parameters.TryGetProperty("protocolVersion", out var version) || version.ValueKind != JsonValueKind.String ||
            version.GetString() is not { Length: > 0 } protocolVersion ||
            SessionRecord.FromInitialize(parameters, protocolVersion, owner) is not { } record)
        {
            return null;
        }

        return record.ToBytes().Length <= maxBytes ? new GatewayHandshake(record, initialized: false) : null;
    }

    /// <summary>The handshake of a session resumed from its record: its client had gone past <c>initialize</c>.</summary>
    public static GatewayHandshake Resumed(SessionRecord record) => new(record.WithUpstream(null), initialized: true);

    /// <summary>The <c>initialize</c> params a replay sends, as JSON.</summary>
    public byte[] InitializeParams()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            Record.WriteInitializeParams(json);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Notes what a message of the session's client changes in its handshake; <see langword="true"/> when the record
    /// changed (a new logging level), to be written again.
    /// </summary>
    public bool Observe(string? method, ReadOnlyMemory<byte> body)
    {
        if (method == GatewayMessage.Initialized)
        {
            _initialized = true;
        }
        else if (method == GatewayMessage.SetLoggingLevel)
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("params", out var parameters) &&
                parameters.ValueKind == JsonValueKind.Object &&
                parameters.TryGetProperty("level", out var level) &&
                level.ValueKind == JsonValueKind.String &&
                level.GetString() is { } name && LoggingLevels.Contains(name, StringComparer.Ordinal) &&
                name != Record.LoggingLevel)
            {
                Volatile.Write(ref _record, Record.WithLoggingLevel(name));
                return true;
            }
        }

        return false;
    }
}
