namespace McpCompat.Gateway;

/// <summary>
/// A POST's message as the gateway reads it: its bytes, relayed as they are, and its method when it is one the gateway
/// acts on (<see cref="Methods"/>): an <c>initialize</c> starts a session, the others change what its handshake replays.
/// </summary>
internal sealed class GatewayMessage(ReadOnlyMemory<byte> body, string? method)
{
    public const string Initialize = "initialize";

    public const string Initialized = "notifications/initialized";

    public const string SetLoggingLevel = "logging/setLevel";

    /// <summary>The methods the gateway acts on; the others it relays without reading further.</summary>
    public static readonly string[] Methods = [Initialize, Initialized, SetLoggingLevel];

    public ReadOnlyMemory<byte> Body { get; } = body;

    /// <summary>Gets one of <see cref="Methods"/>, or <see langword="null"/> for any other message.</summary>
    public string? Method { get; } = method;

    public bool IsInitialize => ReferenceEquals(Method, Initialize);
}
