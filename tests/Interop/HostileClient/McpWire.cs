using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HostileClient;

/// <summary>A session as the client knows it: its id and the revision its handshake negotiated.</summary>
internal sealed record McpSession(string Id, string ProtocolVersion);

/// <summary>
/// What one request got: the HTTP status (0 when no answer came: refused, reset or past the client's own limit), whether
/// the JSON-RPC answer was a result, the JSON-RPC error code otherwise, the <c>Retry-After</c> and <c>Mcp-Session-Id</c>
/// headers, the revision an <c>initialize</c> result names, and when the request was sent and answered (milliseconds on
/// the run's clock, <see cref="McpWire.Now"/>).
/// </summary>
internal sealed record Answer(int Status, bool Result, int? ErrorCode, string? RetryAfter, string? SessionId, string? ProtocolVersion, double SentAt, double AnsweredAt)
{
    /// <summary>Gets why no answer came, when none did: the exception's type and message.</summary>
    public string? Failure { get; init; }

    public double Milliseconds => AnsweredAt - SentAt;

    /// <summary>Gets whether the session served the request: 200 with a JSON-RPC result.</summary>
    public bool Served => Status == 200 && Result;
}

/// <summary>
/// Streamable HTTP spoken by hand: POST <c>initialize</c>, <c>notifications/initialized</c>, <c>tools/call</c> of the
/// samples' <c>echo</c> tool, and DELETE, each with the headers a client sends; answers read from JSON or from an SSE
/// stream (the first JSON-RPC response in it).
/// </summary>
internal sealed class McpWire : IDisposable
{
    /// <summary>The revision the client asks for: the newest with sessions.</summary>
    public const string Revision = "2025-11-25";

    private static readonly MediaTypeWithQualityHeaderValue Json = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue EventStream = new("text/event-stream");
    private static readonly long Started = Stopwatch.GetTimestamp();

    private readonly HttpClient _http;
    private readonly TimeSpan _limit;
    private long _nextId;

    /// <param name="limit">The longest the client waits for one answer; past it the request counts as unanswered (status 0).</param>
    public McpWire(TimeSpan limit)
    {
        _limit = limit;
        _http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            MaxConnectionsPerServer = 1024,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>Milliseconds since the run started: the one clock of every report.</summary>
    public static double Now => Stopwatch.GetElapsedTime(Started).TotalMilliseconds;

    /// <summary>
    /// Opens a session: <c>initialize</c> (with <paramref name="capabilities"/> as the client's capabilities, empty when
    /// null) and, unless <paramref name="abandon"/>, <c>notifications/initialized</c>. The answer carries the session id
    /// and the revision the server negotiated.
    /// </summary>
    public async Task<Answer> InitializeAsync(Uri endpoint, JsonObject? capabilities = null, bool abandon = false)
    {
        var parameters = new JsonObject
        {
            ["protocolVersion"] = Revision,
            ["capabilities"] = capabilities ?? [],
            ["clientInfo"] = new JsonObject { ["name"] = "hostile-client", ["version"] = "1.0.0" },
        };
        var answer = await SendAsync(HttpMethod.Post, endpoint, session: null, Request("initialize", parameters));
        if (!abandon && answer.Served && answer.SessionId is { } id)
        {
            var session = new McpSession(id, answer.ProtocolVersion ?? Revision);
            var initialized = new JsonObject { ["jsonrpc"] = "2.0", ["method"] = "notifications/initialized" };
            var accepted = await SendAsync(HttpMethod.Post, endpoint, session, initialized.ToJsonString());
            if (accepted.Status is not (200 or 202))
            {
                return answer with { Status = accepted.Status, Result = false, ErrorCode = accepted.ErrorCode };
            }
        }

        return answer;
    }

    /// <summary>Opens a session and returns it, or throws when the server does not give one.</summary>
    public async Task<McpSession> OpenAsync(Uri endpoint)
    {
        var answer = await InitializeAsync(endpoint);
        if (!answer.Served || answer.SessionId is null)
        {
            throw new InvalidOperationException($"initialize on {endpoint} answered {answer.Status} (error {answer.ErrorCode?.ToString(CultureInfo.InvariantCulture) ?? "none"}) without a session");
        }

        return new McpSession(answer.SessionId, answer.ProtocolVersion ?? Revision);
    }

    /// <summary>Calls the samples' <c>echo</c> tool in the session.</summary>
    public Task<Answer> EchoAsync(Uri endpoint, McpSession session, string message = "hostile") =>
        SendAsync(HttpMethod.Post, endpoint, session, Request("tools/call", new JsonObject
        {
            ["name"] = "echo",
            ["arguments"] = new JsonObject { ["message"] = message },
        }));

    /// <summary>
    /// Opens <paramref name="connections"/> connections to the endpoint, each with a request the server refuses at once (a
    /// ping without a session), so that later requests leave on a connection already made.
    /// </summary>
    public Task WarmAsync(Uri endpoint, int connections) =>
        Task.WhenAll(Enumerable.Range(0, connections).Select(_ => SendAsync(HttpMethod.Post, endpoint, session: null, Request("ping", []))));

    /// <summary>Ends the session as its client does: DELETE with its id.</summary>
    public Task<Answer> DeleteAsync(Uri endpoint, McpSession session) => SendAsync(HttpMethod.Delete, endpoint, session, body: null);

    public void Dispose() => _http.Dispose();

    private string Request(string method, JsonObject parameters) => new JsonObject
    {
        ["jsonrpc"] = "2.0",
        ["id"] = Interlocked.Increment(ref _nextId),
        ["method"] = method,
        ["params"] = parameters,
    }.ToJsonString();

    private async Task<Answer> SendAsync(HttpMethod method, Uri endpoint, McpSession? session, string? body)
    {
        using var request = new HttpRequestMessage(method, endpoint);
        request.Headers.Accept.Add(Json);
        request.Headers.Accept.Add(EventStream);
        if (session is not null)
        {
            request.Headers.TryAddWithoutValidation("Mcp-Session-Id", session.Id);
            request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", session.ProtocolVersion);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        var sentAt = Now;
        using var limit = new CancellationTokenSource(_limit);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token);
            var text = await response.Content.ReadAsStringAsync(limit.Token);
            var (result, code, protocolVersion) = Read(text, response.Content.Headers.ContentType?.MediaType);
            return new Answer(
                (int)response.StatusCode,
                result,
                code,
                response.Headers.TryGetValues("Retry-After", out var retry) ? string.Join(",", retry) : null,
                response.Headers.TryGetValues("Mcp-Session-Id", out var ids) ? ids.FirstOrDefault() : null,
                protocolVersion,
                sentAt,
                Now);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            return new Answer(0, false, null, null, null, null, sentAt, Now) { Failure = $"{ex.GetType().Name}: {ex.Message}{(ex.InnerException is { } inner ? $" ({inner.GetType().Name}: {inner.Message})" : "")}" };
        }
    }

    /// <summary>The answer's JSON-RPC outcome: a result or an error code, and the revision an initialize result names.</summary>
    private static (bool Result, int? Code, string? ProtocolVersion) Read(string text, string? mediaType)
    {
        if (mediaType == "text/event-stream")
        {
            foreach (var data in SseData(text))
            {
                if (ReadMessage(data) is { } outcome)
                {
                    return outcome;
                }
            }

            return (false, null, null);
        }

        return ReadMessage(text) ?? (false, null, null);
    }

    /// <summary>A JSON-RPC response's outcome, or null when the text is not one (a notification, a request, not JSON).</summary>
    private static (bool Result, int? Code, string? ProtocolVersion)? ReadMessage(string text)
    {
        if (text.Length == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            if (root.TryGetProperty("result", out var result))
            {
                var revision = result.ValueKind == JsonValueKind.Object && result.TryGetProperty("protocolVersion", out var v) && v.ValueKind == JsonValueKind.String
                    ? v.GetString()
                    : null;
                return (true, null, revision);
            }

            if (root.TryGetProperty("error", out var error))
            {
                int? code = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : null;
                return (false, code, null);
            }

            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The data of each event of an SSE stream, its <c>data:</c> lines joined.</summary>
    private static IEnumerable<string> SseData(string stream)
    {
        var data = new StringBuilder();
        foreach (var raw in stream.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                if (data.Length > 0)
                {
                    yield return data.ToString();
                    data.Clear();
                }
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                if (data.Length > 0)
                {
                    data.Append('\n');
                }

                data.Append(line.AsSpan(line.StartsWith("data: ", StringComparison.Ordinal) ? 6 : 5));
            }
        }

        if (data.Length > 0)
        {
            yield return data.ToString();
        }
    }

    /// <summary>Whether a status is 2xx.</summary>
    public static bool IsSuccess(int status) => status is >= 200 and < 300;

    /// <summary>The status as a word for reports: the number, or "none" when no answer came.</summary>
    public static string StatusText(int status) => status == 0 ? "none" : status.ToString(CultureInfo.InvariantCulture);
}
