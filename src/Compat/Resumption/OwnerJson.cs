using System.Text.Json;
using McpCompat.Sessions;

namespace McpCompat.Resumption;

/// <summary>
/// The owner of a session (<see cref="UserKey"/>) as McpCompat stores and sends it: the property <c>"owner"</c>, an
/// array of three strings (claim type, value, issuer), left out for an anonymous session. Session records and fleet
/// notices both carry it so.
/// </summary>
internal static class OwnerJson
{
    private const string PropertyName = "owner";

    /// <summary>Writes the <c>"owner"</c> property of the object being written, or nothing when there is no owner.</summary>
    public static void Write(Utf8JsonWriter json, UserKey? owner)
    {
        if (owner is null)
        {
            return;
        }

        json.WriteStartArray(PropertyName);
        json.WriteStringValue(owner.Type);
        json.WriteStringValue(owner.Value);
        json.WriteStringValue(owner.Issuer);
        json.WriteEndArray();
    }

    /// <summary>
    /// Reads the <c>"owner"</c> property of <paramref name="root"/>: <see langword="true"/> with the owner, or with
    /// <see langword="null"/> when it has none; <see langword="false"/> when the property is not three strings.
    /// </summary>
    public static bool TryRead(JsonElement root, out UserKey? owner)
    {
        owner = null;
        if (!root.TryGetProperty(PropertyName, out var parts))
        {
            return true;
        }

        if (parts.ValueKind != JsonValueKind.Array || parts.GetArrayLength() != 3 || parts.EnumerateArray().Any(p => p.ValueKind != JsonValueKind.String))
        {
            return false;
        }

        owner = new UserKey(parts[0].GetString()!, parts[1].GetString()!, parts[2].GetString()!);
        return true;
    }
}
