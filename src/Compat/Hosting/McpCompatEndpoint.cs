using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using McpCompat.Http;
using McpCompat.Sessions;
using McpCompat.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using ModelContextProtocol.Server;

namespace McpCompat.Hosting;

/// <summary>
/// The Streamable HTTP endpoint <c>MapMcpCompat</c> maps: POST (initialize creates a session), GET (the server's
/// SSE stream), DELETE (ends the session); sessions are tracked and swept like every other McpCompat session.
/// </summary>
internal sealed class McpCompatEndpoint(
    CoreTransportApi api,
    HostedSessionStore store,
    IOptions<McpCompatOptions> options,
    IOptionsFactory<McpServerOptions> serverOptionsFactory,
    ILoggerFactory loggerFactory,
    IServiceProvider services,
    TimeProvider timeProvider,
    McpCompatMetrics metrics) : IDisposable
{
    /// <summary>The largest request body accepted: 4 MiB.</summary>
    public const int MaxBodyBytes = 4 * 1024 * 1024;

    /// <summary>Protocol revisions a client may name in <c>MCP-Protocol-Version</c>.</summary>
    private static readonly HashSet<string> KnownProtocolVersions = new(StringComparer.Ordinal)
    {
        "2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25",
    };

    private readonly ILogger _logger = loggerFactory.CreateLogger<McpCompatEndpoint>();
    private readonly SemaphoreSlim _admission = new(1, 1);

    public CoreTransportApi Api => api;

    public void Dispose() => _admission.Dispose();

    public Task InvokeAsync(HttpContext context)
    {
        if (RefusedHostOrOrigin(context.Request) is { } refusal)
        {
            return WriteErrorAsync(context, StatusCodes.Status403Forbidden, JsonRpcErrorCodes.ServerError, $"Forbidden: {refusal}");
        }

        var method = context.Request.Method;
        if (HttpMethods.IsPost(method))
        {
            return PostAsync(context);
        }

        if (HttpMethods.IsGet(method))
        {
            return GetAsync(context);
        }

        if (HttpMethods.IsDelete(method))
        {
            return DeleteAsync(context);
        }

        context.Response.Headers.Allow = "GET, POST, DELETE";
        return WriteErrorAsync(context, StatusCodes.Status405MethodNotAllowed, JsonRpcErrorCodes.ServerError, $"Method Not Allowed: {method}");
    }

    private async Task PostAsync(HttpContext context)
    {
        var request = context.Request;
        if (!Accepts(request, "application/json") || !Accepts(request, "text/event-stream"))
        {
            await WriteErrorAsync(context, StatusCodes.Status406NotAcceptable, JsonRpcErrorCodes.ServerError, "Not Acceptable: the client must accept both application/json and text/event-stream").ConfigureAwait(false);
            return;
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType) || !contentType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await WriteErrorAsync(context, StatusCodes.Status415UnsupportedMediaType, JsonRpcErrorCodes.ServerError, "Unsupported Media Type: the body must be application/json").ConfigureAwait(false);
            return;
        }

        if (await CheckProtocolVersionAsync(context).ConfigureAwait(false) is not { } protocolVersion)
        {
            return;
        }

        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        string? rpcMethod;
        try
        {
            using var document = JsonDocument.Parse(body.Value);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                await WriteErrorAsync(context, StatusCodes.Status400BadRequest, JsonRpcErrorCodes.InvalidRequest, "Invalid Request: the body must be one JSON-RPC message").ConfigureAwait(false);
                return;
            }

            rpcMethod = document.RootElement.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        }
        catch (JsonException)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, JsonRpcErrorCodes.ParseError, "Parse error: the body is not JSON").ConfigureAwait(false);
            return;
        }

        HostedSession? session;
        var sessionId = request.Headers[McpHeaders.SessionId].ToString();
        if (sessionId.Length == 0)
        {
            if (rpcMethod != "initialize")
            {
                await WriteErrorAsync(context, StatusCodes.Status400BadRequest, JsonRpcErrorCodes.ServerError, "Bad Request: an Mcp-Session-Id header is required for every request but initialize").ConfigureAwait(false);
                return;
            }

            if (!await AdmitNewSessionAsync(context).ConfigureAwait(false))
            {
                return;
            }

            session = StartSession(context);
        }
        else
        {
            session = await EnterSessionAsync(context, sessionId).ConfigureAwait(false);
            if (session is null)
            {
                return;
            }
        }

        try
        {
            context.Response.Headers[McpHeaders.SessionId] = session.Id;
            StartEventStream(context);
            bool wrote;
            try
            {
                wrote = await api.HandlePostAsync(session.Transport, body.Value, context.User, protocolVersion.Length == 0 ? null : protocolVersion, context.Response, context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception ex) when (!context.Response.HasStarted && (ex is JsonException || session.Tracked.IsGone))
            {
                // A message the SDK cannot read, or a session ended (DELETE) while this request was on its way.
                context.Response.Headers.ContentType = default;
                if (ex is JsonException)
                {
                    await WriteErrorAsync(context, StatusCodes.Status400BadRequest, JsonRpcErrorCodes.InvalidRequest, "Invalid Request: not a JSON-RPC message").ConfigureAwait(false);
                }
                else
                {
                    await WriteSessionNotFoundAsync(context).ConfigureAwait(false);
                }

                return;
            }

            if (!wrote && !context.Response.HasStarted)
            {
                context.Response.Headers.ContentType = default;
                context.Response.StatusCode = StatusCodes.Status202Accepted;
            }
        }
        finally
        {
            session.Tracked.Exit(timeProvider.GetTimestamp());
        }
    }

    private async Task GetAsync(HttpContext context)
    {
        if (!Accepts(context.Request, "text/event-stream"))
        {
            await WriteErrorAsync(context, StatusCodes.Status406NotAcceptable, JsonRpcErrorCodes.ServerError, "Not Acceptable: the client must accept text/event-stream").ConfigureAwait(false);
            return;
        }

        if (await CheckProtocolVersionAsync(context).ConfigureAwait(false) is null)
        {
            return;
        }

        if (await RequireSessionIdAsync(context).ConfigureAwait(false) is not { } sessionId)
        {
            return;
        }

        var session = await EnterSessionAsync(context, sessionId).ConfigureAwait(false);
        if (session is null)
        {
            return;
        }

        try
        {
            if (!session.TryOpenGetStream())
            {
                await WriteErrorAsync(context, StatusCodes.Status409Conflict, JsonRpcErrorCodes.ServerError, "Conflict: this session already has an open GET stream").ConfigureAwait(false);
                return;
            }

            var stream = new KeepAliveStream(context.Response.Body, timeProvider, options.Value.KeepAliveInterval, context.RequestAborted);
            Task keepAlive = Task.CompletedTask;
            try
            {
                context.Response.Headers[McpHeaders.SessionId] = session.Id;
                StartEventStream(context);
                await stream.FlushAsync(stream.Token).ConfigureAwait(false);
                keepAlive = stream.RunAsync();
                await api.HandleGetAsync(session.Transport, stream, stream.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or IOException)
            {
                // The client went away (or stopped answering keep-alives) or the session ended: the stream is over.
            }
            finally
            {
                stream.Stop();
                await keepAlive.ConfigureAwait(false);
                await stream.DisposeAsync().ConfigureAwait(false);
                session.CloseGetStream();
            }
        }
        finally
        {
            session.Tracked.Exit(timeProvider.GetTimestamp());
        }
    }

    private async Task DeleteAsync(HttpContext context)
    {
        if (await CheckProtocolVersionAsync(context).ConfigureAwait(false) is null)
        {
            return;
        }

        if (await RequireSessionIdAsync(context).ConfigureAwait(false) is not { } sessionId)
        {
            return;
        }

        var session = store.Find(sessionId);
        if (session is null)
        {
            await WriteSessionNotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        if (session.User != UserKey.From(context.User))
        {
            await WriteForbiddenUserAsync(context).ConfigureAwait(false);
            return;
        }

        if (!await store.EndAsync(sessionId).ConfigureAwait(false))
        {
            await WriteSessionNotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        metrics.SessionEnded(EvictionReason.Deleted);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>
    /// Makes room for one more session under <see cref="McpCompatOptions.MaxSessions"/>: ends the longest-idle hosted
    /// session, or answers 503 with <c>Retry-After</c> when every session is active.
    /// </summary>
    private async Task<bool> AdmitNewSessionAsync(HttpContext context)
    {
        var settings = options.Value;
        if (store.Count < settings.MaxSessions)
        {
            return true;
        }

        await _admission.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            while (store.Count >= settings.MaxSessions)
            {
                if (store.ClaimOldestIdle() is not { } victim)
                {
                    var retryAfter = Math.Max(1, (int)Math.Ceiling(settings.SweepInterval.TotalSeconds));
                    context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    await WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, JsonRpcErrorCodes.ServerError, $"Service Unavailable: {store.Count} sessions are active (McpCompat:MaxSessions = {settings.MaxSessions})").ConfigureAwait(false);
                    return false;
                }

                var idleSeconds = timeProvider.GetElapsedTime(victim.IdleSince).TotalSeconds;
                await store.EndAsync(victim.Session.Id).ConfigureAwait(false);
                metrics.SessionEnded(EvictionReason.MaxSessions);
                Log.SessionEvicted(_logger, victim.Session.Id, EvictionReason.MaxSessions, idleSeconds);
            }

            return true;
        }
        finally
        {
            _admission.Release();
        }
    }

    private HostedSession StartSession(HttpContext context)
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        var id = WebEncoders.Base64UrlEncode(random);

        var transport = api.CreateTransport(loggerFactory, id);
        var server = api.CreateServer(transport, serverOptionsFactory.Create(Options.DefaultName), loggerFactory, services);
        var lifetime = new CancellationTokenSource();

        // The initialize request is in flight until it ends: counted in now, out when PostAsync returns.
        var tracked = new TrackedSession(id, store, context.User, origin: null, timeProvider.GetTimestamp(), inFlight: 1);
        var session = new HostedSession(id, transport, server, UserKey.From(context.User), tracked, lifetime);
        store.Add(session);
        session.RunTask = api.RunServerAsync(server, lifetime.Token);
        Log.HostedSessionStarted(_logger, id);
        return session;
    }

    /// <summary>Finds the session, checks its user and counts the request in; answers and returns null when it cannot.</summary>
    private async Task<HostedSession?> EnterSessionAsync(HttpContext context, string sessionId)
    {
        var session = store.Find(sessionId);
        if (session is null)
        {
            await WriteSessionNotFoundAsync(context).ConfigureAwait(false);
            return null;
        }

        if (session.User != UserKey.From(context.User))
        {
            await WriteForbiddenUserAsync(context).ConfigureAwait(false);
            return null;
        }

        if (!session.Tracked.TryEnter())
        {
            // Being ended right now: the same answer as once it is gone.
            await WriteSessionNotFoundAsync(context).ConfigureAwait(false);
            return null;
        }

        return session;
    }

    /// <summary>Returns the <c>Mcp-Session-Id</c> header, or answers 400 and returns null when there is none.</summary>
    private async Task<string?> RequireSessionIdAsync(HttpContext context)
    {
        var sessionId = context.Request.Headers[McpHeaders.SessionId].ToString();
        if (sessionId.Length > 0)
        {
            return sessionId;
        }

        await WriteErrorAsync(context, StatusCodes.Status400BadRequest, JsonRpcErrorCodes.ServerError, "Bad Request: the Mcp-Session-Id header is required").ConfigureAwait(false);
        return null;
    }

    /// <summary>Returns the <c>MCP-Protocol-Version</c> header ("" when absent), or answers 400 and returns null.</summary>
    private async Task<string?> CheckProtocolVersionAsync(HttpContext context)
    {
        var version = context.Request.Headers[McpHeaders.ProtocolVersion].ToString();
        if (version.Length == 0 || KnownProtocolVersions.Contains(version))
        {
            return version;
        }

        await WriteErrorAsync(context, StatusCodes.Status400BadRequest, JsonRpcErrorCodes.ServerError, $"Bad Request: unsupported MCP-Protocol-Version '{version}'").ConfigureAwait(false);
        return null;
    }

    private async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, JsonRpcErrorCodes.ServerError, $"Payload Too Large: at most {MaxBodyBytes} bytes").ConfigureAwait(false);
            return null;
        }

        var reader = context.Request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
            if (read.Buffer.Length > MaxBodyBytes)
            {
                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, JsonRpcErrorCodes.ServerError, $"Payload Too Large: at most {MaxBodyBytes} bytes").ConfigureAwait(false);
                return null;
            }

            if (read.IsCompleted)
            {
                var bytes = read.Buffer.ToArray();
                reader.AdvanceTo(read.Buffer.End);
                return bytes;
            }

            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    private string? RefusedHostOrOrigin(HttpRequest request)
    {
        var settings = options.Value;
        var host = request.Host.Host;
        if (!IsLoopbackName(host) && !Allowed(settings.AllowedHosts, host))
        {
            return $"host '{host}' is not allowed (McpCompat:AllowedHosts)";
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return null;
        }

        if (Uri.TryCreate(origin, UriKind.Absolute, out var originUri) && IsLoopbackName(originUri.Host))
        {
            return null;
        }

        return Allowed(settings.AllowedOrigins, origin.TrimEnd('/')) ? null : $"origin '{origin}' is not allowed (McpCompat:AllowedOrigins)";
    }

    private static bool Allowed(IList<string> allowed, string value)
    {
        foreach (var entry in allowed)
        {
            if (entry == "*" || string.Equals(entry.TrimEnd('/'), value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsLoopbackName(string host)
    {
        var name = host.Trim('[', ']');
        return string.Equals(name, "localhost", StringComparison.OrdinalIgnoreCase) ||
            (IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address));
    }

    private static bool Accepts(HttpRequest request, string mediaType)
    {
        foreach (var value in request.Headers.Accept)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var part in value.Split(','))
            {
                var type = part.Split(';')[0].Trim();
                if (type == "*/*" || type.Equals(mediaType, StringComparison.OrdinalIgnoreCase) ||
                    (type.EndsWith("/*", StringComparison.Ordinal) && mediaType.StartsWith(type[..^1], StringComparison.OrdinalIgnoreCase)))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static void StartEventStream(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ContentType = "text/event-stream";
        headers.CacheControl = "no-cache,no-store";
        headers.ContentEncoding = "identity";
        headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }

    private Task WriteSessionNotFoundAsync(HttpContext context) =>
        WriteErrorAsync(context, StatusCodes.Status404NotFound, JsonRpcErrorCodes.SessionNotFound, JsonRpcErrorResponse.SessionNotFoundMessage);

    private Task WriteForbiddenUserAsync(HttpContext context) =>
        WriteErrorAsync(context, StatusCodes.Status403Forbidden, JsonRpcErrorCodes.ServerError, "Forbidden: the authenticated user is not the user who started the session");

    private Task WriteErrorAsync(HttpContext context, int status, int code, string message)
    {
        Log.RequestRefused(_logger, context.Request.Method, status, message);
        return JsonRpcErrorResponse.WriteAsync(context, status, code, message);
    }
}
