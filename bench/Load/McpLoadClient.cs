using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Load;

/// <summary>
/// A minimal Streamable HTTP client for load: raw JSON-RPC bodies built once, responses read to the end and dropped.
/// One instance per server; safe for concurrent use (its <see cref="HttpClient"/> pools loopback connections).
/// </summary>
internal sealed class McpLoadClient : IDisposable
{
    private const string ProtocolVersion = "2025-06-18";

    private static readonly byte[] InitializeBody = Encoding.UTF8.GetBytes(
        """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"load","version":"1"}}}""");

    private static readonly byte[] InitializedBody = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");

    private static readonly byte[] EchoBody = Encoding.UTF8.GetBytes(
        """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello"}}}""");

    private static readonly byte[] EchoBodyStart = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":""");

    private static readonly byte[] EchoBodyEnd = Encoding.UTF8.GetBytes(
        ""","method":"tools/call","params":{"name":"echo","arguments":{"message":"hello"}}}""");

    private static readonly byte[] PingBody = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":3,"method":"ping"}""");

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly HttpClient _http;
    private readonly Uri _endpoint;

    /// <param name="endpoint">The server's MCP endpoint.</param>
    /// <param name="maxConnections">The most loopback connections the client opens to it at once.</param>
    public McpLoadClient(Uri endpoint, int maxConnections = int.MaxValue)
    {
        _endpoint = endpoint;
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, MaxConnectionsPerServer = maxConnections })
        {
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    /// <summary>Opens a session: <c>initialize</c>, then the <c>notifications/initialized</c> notification.</summary>
    public async Task<string> OpenSessionAsync(CancellationToken cancellationToken = default)
    {
        var id = await InitializeAsync(InitializeBody, cancellationToken);
        using (var request = NewPost(InitializedBody, id))
        using (var response = await SendAsync(request, cancellationToken))
        {
            EnsureStatus(response, HttpStatusCode.Accepted, "notifications/initialized");
        }

        return id;
    }

    /// <summary>
    /// Sends <c>initialize</c> alone, the client's usual one, and returns the new session's id: a handshake that is never
    /// completed unless the caller sends <c>notifications/initialized</c>.
    /// </summary>
    public Task<string> InitializeAsync(CancellationToken cancellationToken = default) => InitializeAsync(InitializeBody, cancellationToken);

    /// <summary>Sends <c>initialize</c> alone, with <paramref name="body"/> as the request; throws unless the answer is 200.</summary>
    public async Task<string> InitializeAsync(byte[] body, CancellationToken cancellationToken = default)
    {
        using var request = NewPost(body, sessionId: null);
        using var response = await SendAsync(request, cancellationToken);
        EnsureStatus(response, HttpStatusCode.OK, "initialize");
        return response.Headers.GetValues("Mcp-Session-Id").Single();
    }

    /// <summary>Calls the <c>echo</c> tool in the session; returns the HTTP status and the session id the answer names, if any.</summary>
    public async Task<(HttpStatusCode Status, string? SessionId)> TryCallEchoAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        using var request = NewPost(EchoBody, sessionId);
        using var response = await SendAsync(request, cancellationToken);
        return (response.StatusCode, response.Headers.TryGetValues("Mcp-Session-Id", out var ids) ? ids.Single() : null);
    }

    /// <summary>Calls the <c>echo</c> tool in the session; throws unless the answer is 200.</summary>
    public async Task CallEchoAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        using var request = NewPost(EchoBody, sessionId);
        using var response = await SendAsync(request, cancellationToken);
        EnsureStatus(response, HttpStatusCode.OK, "tools/call echo");
    }

    /// <summary>
    /// Calls the <c>echo</c> tool in the session with the JSON-RPC id <paramref name="requestId"/>; throws unless the
    /// answer is 200. Requests in flight at once on one session need ids of their own.
    /// </summary>
    public async Task CallEchoAsync(string sessionId, long requestId, CancellationToken cancellationToken = default)
    {
        var id = Encoding.UTF8.GetBytes(requestId.ToString(CultureInfo.InvariantCulture));
        byte[] body = [.. EchoBodyStart, .. id, .. EchoBodyEnd];
        using var request = NewPost(body, sessionId);
        using var response = await SendAsync(request, cancellationToken);
        EnsureStatus(response, HttpStatusCode.OK, "tools/call echo");
    }

    /// <summary>Pings the session and returns the HTTP status (404 once the session is gone).</summary>
    public async Task<HttpStatusCode> PingAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        using var request = NewPost(PingBody, sessionId);
        using var response = await SendAsync(request, cancellationToken);
        return response.StatusCode;
    }

    /// <summary>Ends the session with DELETE.</summary>
    public async Task DeleteAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, _endpoint);
        request.Headers.Add("Mcp-Session-Id", sessionId);
        request.Headers.Add("MCP-Protocol-Version", ProtocolVersion);
        using var response = await SendAsync(request, cancellationToken);
        EnsureStatus(response, HttpStatusCode.OK, "DELETE");
    }

    public void Dispose() => _http.Dispose();

    private HttpRequestMessage NewPost(byte[] body, string? sessionId)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = Json;
        var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = content };
        request.Headers.Add("Accept", "application/json, text/event-stream");
        if (sessionId is not null)
        {
            request.Headers.Add("Mcp-Session-Id", sessionId);
            request.Headers.Add("MCP-Protocol-Version", ProtocolVersion);
        }

        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // The whole body is read before returning: the request is over for the server and for the client.
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return response;
    }

    private static void EnsureStatus(HttpResponseMessage response, HttpStatusCode expected, string what)
    {
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"{what}: expected HTTP {(int)expected}, got {(int)response.StatusCode}.");
        }
    }
}
