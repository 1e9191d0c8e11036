using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace McpCompat.Tests.Support;

/// <summary>
/// A minimal Streamable HTTP client written against the protocol, not the SDK: it works the same against every
/// SDK version, and it can abandon a session (no DELETE) the way a vanished client does.
/// </summary>
internal sealed class RawMcpClient(HttpClient http, Uri endpoint, string protocolVersion = RawMcpClient.DefaultProtocolVersion)
{
    public const string DefaultProtocolVersion = "2025-06-18";

    private int _nextId;

    public Uri Endpoint => endpoint;

    /// <summary>Gets the <c>MCP-Protocol-Version</c> this client sends.</summary>
    public string ProtocolVersion => protocolVersion;

    /// <summary>Initializes a session (initialize + notifications/initialized) and returns its id.</summary>
    public Task<string> InitializeAsync(CancellationToken cancellationToken = default) => InitializeAsync(new JsonObject(), cancellationToken);

    /// <summary>Initializes a session whose client declares <paramref name="capabilities"/> and returns its id.</summary>
    public async Task<string> InitializeAsync(JsonObject capabilities, CancellationToken cancellationToken = default)
    {
        var initialize = new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = Interlocked.Increment(ref _nextId),
            ["method"] = "initialize",
            ["params"] = new JsonObject
            {
                ["protocolVersion"] = protocolVersion,
                ["capabilities"] = capabilities,
                ["clientInfo"] = new JsonObject { ["name"] = "raw-test-client", ["version"] = "1.0" },
            },
        };
        using var response = await SendAsync(HttpMethod.Post, sessionId: null, initialize.ToJsonString(), cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"initialize answered {(int)response.StatusCode}: {body}");
        var sessionId = Assert.Single(response.Headers.GetValues("Mcp-Session-Id"));
        Assert.NotNull(ReadMessage(body)?["result"]);

        using var initialized = await SendAsync(HttpMethod.Post, sessionId, """{"jsonrpc":"2.0","method":"notifications/initialized"}""", cancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, initialized.StatusCode);
        return sessionId;
    }

    /// <summary>Sends a request of the session and returns the status and the JSON-RPC message answered, if any.</summary>
    public async Task<(HttpStatusCode Status, JsonNode? Message)> RequestAsync(string sessionId, string method, JsonObject? parameters = null, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Post, sessionId, Request(method, parameters), cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return (response.StatusCode, ReadMessage(body));
    }

    /// <summary>
    /// Sends a request of the session and returns the response as soon as its headers are in, its body unread: for
    /// tests that look at the bytes of the answer as the server wrote them. The caller disposes the response.
    /// </summary>
    public Task<HttpResponseMessage> SendRequestAsync(string sessionId, string method, JsonObject? parameters = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, sessionId, Request(method, parameters), cancellationToken, HttpCompletionOption.ResponseHeadersRead);

    public async Task<HttpStatusCode> PingAsync(string sessionId, CancellationToken cancellationToken = default) =>
        (await RequestAsync(sessionId, "ping", cancellationToken: cancellationToken)).Status;

    public Task<(HttpStatusCode Status, JsonNode? Message)> CallToolAsync(string sessionId, string tool, JsonObject? arguments = null, CancellationToken cancellationToken = default) =>
        RequestAsync(sessionId, "tools/call", new JsonObject { ["name"] = tool, ["arguments"] = arguments ?? new JsonObject() }, cancellationToken);

    public async Task<HttpStatusCode> DeleteAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Delete, sessionId, content: null, cancellationToken);
        return response.StatusCode;
    }

    /// <summary>Opens the GET (SSE) stream of the session; the caller disposes the response to close it.</summary>
    public async Task<HttpResponseMessage> OpenGetStreamAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, endpoint);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Add("Mcp-Session-Id", sessionId);
        request.Headers.Add("MCP-Protocol-Version", protocolVersion);
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    private string Request(string method, JsonObject? parameters)
    {
        var request = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = Interlocked.Increment(ref _nextId), ["method"] = method };
        if (parameters is not null)
        {
            request["params"] = parameters;
        }

        return request.ToJsonString();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string? sessionId, string? content, CancellationToken cancellationToken, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using var request = new HttpRequestMessage(method, endpoint);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (sessionId is not null)
        {
            request.Headers.Add("Mcp-Session-Id", sessionId);
            request.Headers.Add("MCP-Protocol-Version", protocolVersion);
        }

        if (content is not null)
        {
            request.Content = new StringContent(content, Encoding.UTF8, "application/json");
        }

        return await http.SendAsync(request, completion, cancellationToken);
    }

    /// <summary>Reads the JSON-RPC message of a response body: plain JSON, or the last <c>data:</c> line of an SSE stream.</summary>
    public static JsonNode? ReadMessage(string body)
    {
        var text = body.Trim();
        if (text.Length == 0)
        {
            return null;
        }

        if (text.StartsWith('{'))
        {
            return JsonNode.Parse(text);
        }

        JsonNode? last = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                var data = line["data:".Length..].Trim();
                if (data.Length > 0)
                {
                    try
                    {
                        last = JsonNode.Parse(data);
                    }
                    catch (JsonException)
                    {
                        // A priming or keep-alive event without a message.
                    }
                }
            }
        }

        return last;
    }
}
