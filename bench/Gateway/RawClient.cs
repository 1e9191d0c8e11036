using System.Net;
using System.Text;

namespace McpCompat.GatewayLoad;

/// <summary>Streamable HTTP by hand: a session opened, echo calls on it, its DELETE.</summary>
internal sealed class RawClient(HttpClient http, Uri endpoint)
{
    private const string Revision = "2025-06-18";

    public async Task<string> InitializeAsync(CancellationToken cancellationToken = default)
    {
        var initialize = $$$$"""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"{{{{Revision}}}}","capabilities":{},"clientInfo":{"name":"gateway-load","version":"1.0"}}}""";
        using var response = await PostAsync(null, initialize, cancellationToken);
        await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK || !response.Headers.TryGetValues("Mcp-Session-Id", out var ids))
        {
            throw new InvalidOperationException($"initialize answered {(int)response.StatusCode}");
        }

        var id = ids.First();
        using var notified = await PostAsync(id, """{"jsonrpc":"2.0","method":"notifications/initialized"}""", cancellationToken);
        return id;
    }

    /// <summary>One echo call; <see langword="true"/> when it was answered 200 with the text.</summary>
    public async Task<bool> EchoAsync(string sessionId, string text, CancellationToken cancellationToken = default)
    {
        using var response = await PostAsync(sessionId, $$$$"""{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"{{{{text}}}}"}}}""", cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.StatusCode == HttpStatusCode.OK && body.Contains(text, StringComparison.Ordinal);
    }

    public async Task DeleteAsync(string sessionId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, endpoint);
        request.Headers.Add("Mcp-Session-Id", sessionId);
        request.Headers.Add("MCP-Protocol-Version", Revision);
        using var response = await http.SendAsync(request);
    }

    private Task<HttpResponseMessage> PostAsync(string? sessionId, string body, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (sessionId is not null)
        {
            request.Headers.Add("Mcp-Session-Id", sessionId);
            request.Headers.Add("MCP-Protocol-Version", Revision);
        }

        return http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }
}
