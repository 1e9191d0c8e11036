using System.Buffers;
using System.Security.Claims;
using System.Text.Json;
using McpCompat.Http;
using McpCompat.Resumption;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// Runs a resumed session's handshake again in its new transport, as the client ran it: its <c>initialize</c> (same
/// parameters, same negotiated revision), <c>notifications/initialized</c>, and the logging level the client had set;
/// the same way on every API shape of the SDK, so the server sees exactly what it saw the first time. Bounded by
/// <see cref="HostedSessionStore.DisposeWait"/>.
/// </summary>
internal sealed class HandshakeReplay(CoreTransportApi api, TimeProvider timeProvider)
{
    private static readonly JsonElement ReplayId = ParseOnce("\"mcpcompat-resume\"");

    /// <summary>Runs the session's handshake again in its new transport; the reason it failed, or <see langword="null"/>.</summary>
    public async Task<string?> ReplayAsync(HostedSession session, SessionRecord record, ClaimsPrincipal user)
    {
        using var replay = new CancellationTokenSource(HostedSessionStore.DisposeWait, timeProvider);
        return await ReplayAsync(session, record, user, replay.Token).ConfigureAwait(false);
    }

    /// <summary>Runs the session's handshake again in its new transport; the reason it failed, or <see langword="null"/>.</summary>
    private async Task<string?> ReplayAsync(HostedSession session, SessionRecord record, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        using var answer = new MemoryStream();
        var initialize = Message(json =>
        {
            json.WriteString("method", "initialize");
            json.WritePropertyName("params");
            record.WriteInitializeParams(json);
        });
        await api.HandlePostAsync(session.Transport, initialize, user, protocolVersion: null, answer, cancellationToken).ConfigureAwait(false);
        if (!InitializeAnswer.Succeeded(answer.GetBuffer().AsMemory(0, (int)answer.Length), ReplayId, out _, out var negotiated))
        {
            return "the server did not answer initialize with a result";
        }

        if (negotiated != record.ProtocolVersion)
        {
            return $"the server negotiated {negotiated ?? "no revision"} instead of {record.ProtocolVersion}";
        }

        var initialized = Message(static json => json.WriteString("method", "notifications/initialized"), withId: false);
        await api.HandlePostAsync(session.Transport, initialized, user, record.ProtocolVersion, Stream.Null, cancellationToken).ConfigureAwait(false);

        if (record.LoggingLevel is { } level)
        {
            answer.SetLength(0);
            var setLevel = Message(json =>
            {
                json.WriteString("method", "logging/setLevel");
                json.WriteStartObject("params");
                json.WriteString("level", level);
                json.WriteEndObject();
            });
            await api.HandlePostAsync(session.Transport, setLevel, user, record.ProtocolVersion, answer, cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    private static JsonElement ParseOnce(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static PostedMessage Message(Action<Utf8JsonWriter> write, bool withId = true)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("jsonrpc", "2.0");
            if (withId)
            {
                json.WritePropertyName("id");
                ReplayId.WriteTo(json);
            }

            write(json);
            json.WriteEndObject();
        }

        var body = buffer.WrittenMemory.ToArray();
        using var document = JsonDocument.Parse(body);
        return PostedMessage.Read(body, document.RootElement);
    }
}
