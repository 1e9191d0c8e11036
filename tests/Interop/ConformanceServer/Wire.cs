using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace ConformanceServer;

/// <summary>
/// The fixture's answers written as the JSON the scenarios describe, read into the SDK's own result types, and its
/// requests and notifications to the client sent as raw JSON-RPC: one source for every shape of the SDK's types.
/// </summary>
internal static class Wire
{
    /// <summary>A 2×2 PNG (teal), base64.</summary>
    public const string PngBase64 = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAD0lEQVR42mNgaGgAIQgFABoOBAFCl+Z5AAAAAElFTkSuQmCC";

    /// <summary>Sixteen samples of a square wave as an 8 kHz, 8-bit mono WAV, base64.</summary>
    public const string WavBase64 = "UklGRjQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YRAAAABYWFhYqKioqFhYWFioqKio";

    /// <summary>Reads <paramref name="json"/> into the SDK's type <typeparamref name="T"/>.</summary>
    public static T Read<T>(JsonNode json) =>
        json.Deserialize<T>(McpJsonUtilities.DefaultOptions) ?? throw new InvalidOperationException($"No {typeof(T).Name} in {json}");

    /// <summary>A tool result holding <paramref name="content"/>.</summary>
    public static ToolResult Result(params JsonObject[] content) => Read<ToolResult>(new JsonObject { ["content"] = Items(content) });

    /// <summary>A tool result with <c>isError: true</c> and <paramref name="message"/> as its text.</summary>
    public static ToolResult Error(string message) =>
        Read<ToolResult>(new JsonObject { ["content"] = Items(Text(message)), ["isError"] = true });

    public static JsonObject Text(string text) => new() { ["type"] = "text", ["text"] = text };

    public static JsonObject Image() => new() { ["type"] = "image", ["data"] = PngBase64, ["mimeType"] = "image/png" };

    public static JsonObject Audio() => new() { ["type"] = "audio", ["data"] = WavBase64, ["mimeType"] = "audio/wav" };

    /// <summary>Embedded text resource content.</summary>
    public static JsonObject Resource(string uri, string mimeType, string text) => new()
    {
        ["type"] = "resource",
        ["resource"] = new JsonObject { ["uri"] = uri, ["mimeType"] = mimeType, ["text"] = text },
    };

    public static JsonArray Items(params JsonNode[] items)
    {
        var array = new JsonArray();
        foreach (var item in items)
        {
            array.Add(item);
        }

        return array;
    }

    /// <summary>
    /// Sends the request <paramref name="method"/> to the client, on the stream of the call under way when
    /// <paramref name="server"/> is the one the SDK gave the call, and returns the client's result.
    /// </summary>
    public static async Task<JsonNode?> AskClientAsync(SessionServer server, string method, JsonObject parameters, CancellationToken cancellationToken)
    {
        var response = await server.SendRequestAsync(new JsonRpcRequest { Method = method, Params = parameters }, cancellationToken);
        return response.Result;
    }

    /// <summary>Sends the notification <paramref name="method"/> to the client.</summary>
    public static Task NotifyClientAsync(SessionServer server, string method, JsonObject parameters, CancellationToken cancellationToken) =>
        server.SendMessageAsync(new JsonRpcNotification { Method = method, Params = parameters }, cancellationToken);
}
