using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace McpCompat.Gateway.Tests;

/// <summary>Streamable HTTP by hand: the exchanges a test needs, with what came back (status, session id, message).</summary>
internal sealed class McpClient(HttpClient http, Uri endpoint)
{
    public const string ProtocolVersion = "2025-06-18";

    public Uri Endpoint => endpoint;

    /// <summary>Opens a session: <c>initialize</c>, then <c>notifications/initialized</c>; returns its id.</summary>
    public async Task<string> InitializeAsync(CancellationToken cancellationToken = default)
    {
        var (status, headers, _) = await PostAsync(null, Initialize(), cancellationToken);
        Assert.Equal(HttpStatusCode.OK, status);
        var id = headers.GetValues("Mcp-Session-Id").Single();
        var (notified, _, _) = await PostAsync(id, """{"jsonrpc":"2.0","method":"notifications/initialized"}""", cancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, notified);
        return id;
    }

    public static string Initialize() =>
        $$$$"""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"{{{{ProtocolVersion}}}}","capabilities":{},"clientInfo":{"name":"gateway-tests","version":"1.0"}}}""";

    public async Task<(HttpStatusCode Status, JsonNode? Message)> RequestAsync(string? sessionId, string method, string parameters = "{}", CancellationToken cancellationToken = default)
    {
        var (status, _, message) = await PostAsync(sessionId, $$"""{"jsonrpc":"2.0","id":7,"method":"{{method}}","params":{{parameters}}}""", cancellationToken);
        return (status, message);
    }

    public Task<(HttpStatusCode Status, JsonNode? Message)> CallToolAsync(string sessionId, string tool, string arguments = "{}", CancellationToken cancellationToken = default) =>
        RequestAsync(sessionId, "tools/call", $$"""{"name":"{{tool}}","arguments":{{arguments}}}""", cancellationToken);

    public async Task<(HttpStatusCode Status, HttpResponseHeaders Headers, JsonNode? Message)> PostAsync(string? sessionId, string body, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        Prepare(request, sessionId);
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return (response.StatusCode, response.Headers, FirstMessage(response, text));
    }

    public async Task<HttpStatusCode> DeleteAsync(string sessionId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, endpoint);
        Prepare(request, sessionId);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Opens the session's GET stream; the caller reads it and disposes it.</summary>
    public async Task<HttpResponseMessage> OpenGetStreamAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, endpoint);
        Prepare(request, sessionId);
        request.Headers.Accept.Clear();
        request.Headers.Accept.ParseAdd("text/event-stream");
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    private static void Prepare(HttpRequestMessage request, string? sessionId)
    {
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (sessionId is not null)
        {
            request.Headers.Add("Mcp-Session-Id", sessionId);
            request.Headers.Add("MCP-Protocol-Version", ProtocolVersion);
        }
    }

    private static JsonNode? FirstMessage(HttpResponseMessage response, string text)
    {
        if (text.Length == 0)
        {
            return null;
        }

        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            var data = text.Split('\n').FirstOrDefault(l => l.StartsWith("data:", StringComparison.Ordinal));
            return data is null ? null : JsonNode.Parse(data["data:".Length..]);
        }

        return JsonNode.Parse(text);
    }
}
