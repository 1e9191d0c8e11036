using System.Text;
using System.Text.Json;

namespace McpCompat.Gateway;

/// <summary>
/// What a session's client told its server when it started, enough to start it again on an upstream that lost it: the
/// <c>initialize</c> params as sent, whether <c>notifications/initialized</c> followed, and the logging level last set.
/// </summary>
internal sealed class GatewayHandshake(byte[] initializeParams)
{
    private volatile bool _initialized;
    private volatile string? _loggingLevel;

    /// <summary>Gets the client's <c>initialize</c> params, as JSON.</summary>
    public ReadOnlyMemory<byte> InitializeParams { get; } = initializeParams;

    public bool Initialized => _initialized;

    public string? LoggingLevel => _loggingLevel;

    /// <summary>Reads the params of an <c>initialize</c> body; <see langword="null"/> when they are missing or larger than <paramref name="maxBytes"/>.</summary>
    public static GatewayHandshake? From(ReadOnlyMemory<byte> initializeBody, int maxBytes)
    {
        using var document = JsonDocument.Parse(initializeBody);
        if (!document.RootElement.TryGetProperty("params", out var parameters) || parameters.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var raw = Encoding.UTF8.GetBytes(parameters.GetRawText());
        return raw.Length <= maxBytes ? new GatewayHandshake(raw) : null;
    }

    /// <summary>Notes what a message of the session's client changes in its handshake.</summary>
    public void Observe(string? method, ReadOnlyMemory<byte> body)
    {
        if (method == "notifications/initialized")
        {
            _initialized = true;
        }
        else if (method == "logging/setLevel")
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("params", out var parameters) &&
                parameters.ValueKind == JsonValueKind.Object &&
                parameters.TryGetProperty("level", out var level) &&
                level.ValueKind == JsonValueKind.String)
            {
                _loggingLevel = level.GetString();
            }
        }
    }
}
