using System.Net;
using System.Text.Json;
using McpCompat.Probing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace McpCompat.Http;

/// <summary>
/// Checks a request's headers before <c>MapMcpCompat</c>'s endpoint (or, with <see cref="McpCompatOptions.Guard"/>, the
/// SDK's own) serves it: Host and Origin (against DNS rebinding), Accept, Content-Type, <c>MCP-Protocol-Version</c> and
/// <c>Mcp-Session-Id</c>. Each check that fails answers the request itself.
/// </summary>
internal sealed class RequestValidator(IOptions<McpCompatOptions> options, RefusalWriter refusals, ProtocolRevisions revisions)
{
    /// <summary>
    /// Answers 403 when the request's Host or Origin is not allowed and returns that answer; returns
    /// <see langword="null"/> when both are allowed.
    /// </summary>
    public Task? RefuseForeignHostOrOrigin(HttpContext context) =>
        RefusedHostOrOrigin(context.Request) is { } refusal
            ? refusals.RefuseAsync(context, StatusCodes.Status403Forbidden, $"Forbidden: {refusal}")
            : null;

    /// <summary>Returns why the request's Host or Origin is not allowed, or <see langword="null"/> when both are.</summary>
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

    /// <summary>Checks that a POST accepts both answers (JSON and SSE) and carries JSON; answers 406 or 415 when not.</summary>
    public async ValueTask<bool> CheckPostMediaTypesAsync(HttpContext context)
    {
        var request = context.Request;
        if (!Accepts(request, "application/json") || !Accepts(request, "text/event-stream"))
        {
            await refusals.RefuseAsync(context, StatusCodes.Status406NotAcceptable, "Not Acceptable: the client must accept both application/json and text/event-stream").ConfigureAwait(false);
            return false;
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType) || !contentType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await refusals.RefuseAsync(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type: the body must be application/json").ConfigureAwait(false);
            return false;
        }

        return true;
    }

    /// <summary>Checks that a GET accepts an SSE stream; answers 406 when not.</summary>
    public async ValueTask<bool> CheckAcceptsEventStreamAsync(HttpContext context)
    {
        if (Accepts(context.Request, "text/event-stream"))
        {
            return true;
        }

        await refusals.RefuseAsync(context, StatusCodes.Status406NotAcceptable, "Not Acceptable: the client must accept text/event-stream").ConfigureAwait(false);
        return false;
    }

    /// <summary>
    /// Returns the <c>MCP-Protocol-Version</c> header ("" when absent) when it names a revision of the SDK's, or answers
    /// 400 with <see cref="JsonRpcErrorCodes.UnsupportedProtocolVersion"/> and the revisions supported, and returns null.
    /// </summary>
    public async ValueTask<string?> CheckProtocolVersionAsync(HttpContext context, JsonElement? requestId = null)
    {
        var version = context.Request.Headers[McpHeaders.ProtocolVersion].ToString();
        if (version.Length == 0 || revisions.IsSupported(version))
        {
            return version;
        }

        await refusals.RefuseVersionAsync(context, version, revisions.Supported, $"Bad Request: unsupported MCP-Protocol-Version '{version}'", requestId).ConfigureAwait(false);
        return null;
    }

    /// <summary>Gets whether <paramref name="version"/> is a protocol revision of the SDK's.</summary>
    public bool IsSupported(string version) => revisions.IsSupported(version);

    /// <summary>Gets whether <paramref name="version"/> is a protocol revision of the SDK's without sessions.</summary>
    public bool IsSessionless(string version) => revisions.IsSessionless(version);

    /// <summary>Returns the <c>Mcp-Session-Id</c> header, or answers 400 and returns null when there is none.</summary>
    public async ValueTask<string?> RequireSessionIdAsync(HttpContext context)
    {
        var sessionId = context.Request.Headers[McpHeaders.SessionId].ToString();
        if (sessionId.Length > 0)
        {
            return sessionId;
        }

        await refusals.RefuseAsync(context, StatusCodes.Status400BadRequest, "Bad Request: the Mcp-Session-Id header is required").ConfigureAwait(false);
        return null;
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
        // The usual names first, read in place; any other address parsed (127.0.0.2, [::1] written at length).
        var name = host.AsSpan().Trim("[]");
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || name.SequenceEqual("127.0.0.1") || name.SequenceEqual("::1") ||
            (IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address));
    }

    private static bool Accepts(HttpRequest request, string mediaType)
    {
        foreach (var value in request.Headers.Accept)
        {
            // Each comma-separated media range, its parameters (after ';') ignored; read in place, without allocating.
            var rest = value.AsSpan();
            while (!rest.IsEmpty)
            {
                var comma = rest.IndexOf(',');
                var part = comma < 0 ? rest : rest[..comma];
                rest = comma < 0 ? [] : rest[(comma + 1)..];
                var semicolon = part.IndexOf(';');
                var type = (semicolon < 0 ? part : part[..semicolon]).Trim();
                if (type.SequenceEqual("*/*") || type.Equals(mediaType, StringComparison.OrdinalIgnoreCase) ||
                    (type.EndsWith("/*") && mediaType.AsSpan().StartsWith(type[..^1], StringComparison.OrdinalIgnoreCase)))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
