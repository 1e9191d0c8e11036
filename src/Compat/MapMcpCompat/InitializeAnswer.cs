using System.Buffers;
using System.Text.Json;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// Reads what the SDK's transport answered an <c>initialize</c> request with (SSE events, or one JSON message): the
/// handshake succeeded when one of the messages is the result for the request's id.
/// </summary>
internal static class InitializeAnswer
{
    /// <summary>
    /// Returns whether <paramref name="answer"/> holds the result for request <paramref name="id"/>; when it does not,
    /// <paramref name="error"/> is the JSON-RPC error the server answered the request with, if it did.
    /// </summary>
    public static bool Succeeded(ReadOnlyMemory<byte> answer, JsonElement id, out ReadOnlyMemory<byte> error) =>
        Succeeded(answer, id, out error, out _);

    /// <summary>
    /// Returns whether <paramref name="answer"/> holds the result for request <paramref name="id"/>, as
    /// <see cref="Succeeded(ReadOnlyMemory{byte}, JsonElement, out ReadOnlyMemory{byte})"/> does, and the protocol revision
    /// the result negotiated (<see langword="null"/> when it names none).
    /// </summary>
    public static bool Succeeded(ReadOnlyMemory<byte> answer, JsonElement id, out ReadOnlyMemory<byte> error, out string? protocolVersion)
    {
        error = default;
        protocolVersion = null;
        var text = answer.Span.TrimStart(" \r\n\t"u8);
        if (text.Length > 0 && text[0] == (byte)'{')
        {
            return Check(answer.ToArray(), id, ref error, ref protocolVersion);
        }

        // SSE: an event's data lines, joined by line feeds, end at a blank line.
        var data = new ArrayBufferWriter<byte>();
        var rest = answer;
        while (!rest.IsEmpty)
        {
            var end = rest.Span.IndexOf((byte)'\n');
            var line = (end < 0 ? rest : rest[..end]).Span.TrimEnd((byte)'\r');
            rest = end < 0 ? ReadOnlyMemory<byte>.Empty : rest[(end + 1)..];
            if (line.IsEmpty)
            {
                if (data.WrittenCount > 0 && Check(data.WrittenMemory.ToArray(), id, ref error, ref protocolVersion))
                {
                    return true;
                }

                data.Clear();
            }
            else if (line.StartsWith("data:"u8))
            {
                var value = line[5..];
                if (data.WrittenCount > 0)
                {
                    data.Write("\n"u8);
                }

                data.Write(value.StartsWith(" "u8) ? value[1..] : value);
            }
        }

        return data.WrittenCount > 0 && Check(data.WrittenMemory.ToArray(), id, ref error, ref protocolVersion);
    }

    private static bool Check(byte[] message, JsonElement id, ref ReadOnlyMemory<byte> error, ref string? protocolVersion)
    {
        try
        {
            using var document = JsonDocument.Parse(message);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("id", out var answered) || !SameId(answered, id))
            {
                return false;
            }

            if (root.TryGetProperty("result", out var result))
            {
                protocolVersion = result.ValueKind == JsonValueKind.Object && result.TryGetProperty("protocolVersion", out var version) &&
                    version.ValueKind == JsonValueKind.String ? version.GetString() : null;
                return true;
            }

            if (root.TryGetProperty("error", out _))
            {
                error = message;
            }

            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool SameId(JsonElement answered, JsonElement id) => (answered.ValueKind, id.ValueKind) switch
    {
        (JsonValueKind.String, JsonValueKind.String) => answered.GetString() == id.GetString(),
        (JsonValueKind.Number, JsonValueKind.Number) => answered.TryGetInt64(out var a) && id.TryGetInt64(out var b) && a == b,
        _ => false,
    };
}
