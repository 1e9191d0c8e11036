using System.Buffers;
using System.Text.Json;
using McpCompat.Sessions;
namespace McpCompat.Resumption;

/// <summary>
/// The message an instance sends the fleet when a client deleted a session: its id, and its owner, as whom the SDK's
/// host is asked to end its copy (the SDK ends a session only for its owner).
/// </summary>
internal readonly record struct SessionEndNotice(string SessionId, UserKey? Owner)
{
    public byte[] ToBytes()
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("ended", SessionId);
            OwnerJson.Write(json, Owner);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a notice; <see langword="null"/> for anything else.</summary>
    public static SessionEndNotice? TryParse(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("ended", out var id) || id.ValueKind != JsonValueKind.String ||
                id.GetString() is not { Length: > 0 } sessionId)
            {
                return null;
            }

            return OwnerJson.TryRead(root, out var owner) ? new SessionEndNotice(sessionId, owner) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
