using System.Buffers.Text;
using System.Text;
using McpCompat.Http;
using McpCompat.Probing;
using McpCompat.Streams;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// Serves a POST of a protocol revision without sessions (2026-07-28 and later, where the SDK in use has one) as the
/// SDK's host does: the request's envelope and its <c>Mcp-Method</c> and <c>Mcp-Name</c> headers are checked against
/// its body, then a server of its own answers it over a stateless transport and is gone with the request. Nothing is
/// tracked and nothing is left to expire. Applies only where the SDK in use serves such revisions
/// (<see cref="CoreTransportApi.Stateless"/>): elsewhere it is never <see cref="Enabled"/> and refuses nothing.
/// </summary>
internal sealed class SessionlessPostHandler(
    CoreTransportApi api,
    ProtocolRevisions revisions,
    RefusalWriter refusals,
    IOptionsFactory<McpServerOptions> serverOptionsFactory,
    KeepAliveScheduler keepAlives,
    ILoggerFactory loggerFactory)
{
    /// <summary>Methods the sessionless revisions removed: answered 404 with Method not found, as the SDK's host does.</summary>
    private static readonly HashSet<string> RemovedMethods = new(StringComparer.Ordinal)
    {
        "initialize", "ping", "logging/setLevel", "resources/subscribe", "resources/unsubscribe",
    };

    /// <summary>Gets whether the SDK in use serves requests without sessions, as this handler answers them.</summary>
    public bool Enabled => api.Stateless is not null;

    /// <summary>
    /// Answers 400 when a message of <paramref name="version"/> (the header, "" when absent) declares a sessionless
    /// revision in its <c>_meta</c> that the header does not repeat; returns whether it did.
    /// </summary>
    public async ValueTask<bool> RefuseMismatchedMetaAsync(HttpContext context, PostedMessage message, string version)
    {
        if (!Enabled || message.MetaProtocolVersion is not { } meta || !revisions.IsSessionless(meta) || string.Equals(meta, version, StringComparison.Ordinal))
        {
            return false;
        }

        await refusals.WriteAsync(context, StatusCodes.Status400BadRequest, JsonRpcErrorCodes.HeaderMismatch, version.Length == 0
            ? $"Bad Request: The {McpHeaders.ProtocolVersion} header is required when the request body declares a per-request metadata protocol version."
            : $"Bad Request: The {McpHeaders.ProtocolVersion} header value '{version}' does not match body _meta/io.modelcontextprotocol/protocolVersion value '{meta}'.",
            message.Id).ConfigureAwait(false);
        return true;
    }

    public async Task HandleAsync(HttpContext context, PostedMessage message, string version)
    {
        if (message.Method is null)
        {
            // A response: there is no server-to-client request in a revision without sessions to answer.
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            return;
        }

        if (await RefuseEnvelopeAsync(context, message, version).ConfigureAwait(false))
        {
            return;
        }

        if (message.IsRequest && RemovedMethods.Contains(message.Method))
        {
            await refusals.WriteAsync(context, StatusCodes.Status404NotFound, JsonRpcErrorCodes.MethodNotFound,
                $"Method '{message.Method}' is not available on protocol version '{version}'.", message.Id).ConfigureAwait(false);
            return;
        }

        await ServeAsync(context, message, version).ConfigureAwait(false);
    }

    /// <summary>The SDK host's checks of a sessionless request, in its order; answers the first that fails.</summary>
    private async ValueTask<bool> RefuseEnvelopeAsync(HttpContext context, PostedMessage message, string version)
    {
        (int Code, string Text)? fault = null;
        if (message.IsRequest && message.MetaProtocolVersion is null)
        {
            fault = (JsonRpcErrorCodes.InvalidParams, $"Requests using protocol version '{version}' must include '_meta/io.modelcontextprotocol/protocolVersion'.");
        }
        else if (message.MetaProtocolVersion is { } meta && !string.Equals(meta, version, StringComparison.Ordinal))
        {
            fault = (JsonRpcErrorCodes.HeaderMismatch, $"Bad Request: The {McpHeaders.ProtocolVersion} header value '{version}' does not match body _meta/io.modelcontextprotocol/protocolVersion value '{meta}'.");
        }
        else if (HeaderFault(context.Request, message) is { } header)
        {
            fault = (JsonRpcErrorCodes.HeaderMismatch, header);
        }
        else if (message.IsRequest && !message.HasClientCapabilities)
        {
            fault = (JsonRpcErrorCodes.InvalidParams, $"Requests using protocol version '{version}' must include '_meta/io.modelcontextprotocol/clientCapabilities' as a JSON object.");
        }

        if (fault is not { } refusal)
        {
            return false;
        }

        await refusals.WriteAsync(context, StatusCodes.Status400BadRequest, refusal.Code, refusal.Text, message.Id).ConfigureAwait(false);
        return true;
    }

    /// <summary>Why <c>Mcp-Method</c> or <c>Mcp-Name</c> does not repeat the body, or <see langword="null"/> when they do.</summary>
    private static string? HeaderFault(HttpRequest request, PostedMessage message)
    {
        if (!request.Headers.TryGetValue(McpHeaders.Method, out var methodHeader))
        {
            return $"Missing required {McpHeaders.Method} header.";
        }

        var method = methodHeader.ToString().Trim();
        if (!string.Equals(method, message.Method, StringComparison.Ordinal))
        {
            return $"Header mismatch: {McpHeaders.Method} header value '{method}' does not match body value '{message.Method}'.";
        }

        if (message.RoutingName is not { } target)
        {
            return null;
        }

        if (!request.Headers.TryGetValue(McpHeaders.Name, out var nameHeader))
        {
            return $"Missing required {McpHeaders.Name} header.";
        }

        var name = nameHeader.ToString().Trim();
        if (!name.All(c => c == '\t' || (c >= ' ' && c <= '~')))
        {
            return $"Header mismatch: {McpHeaders.Name} header contains invalid characters.";
        }

        if (DecodeHeaderValue(name) is not { } decoded)
        {
            return $"Header mismatch: {McpHeaders.Name} header contains invalid Base64 encoding.";
        }

        return string.Equals(decoded, target, StringComparison.Ordinal)
            ? null
            : $"Header mismatch: {McpHeaders.Name} header value '{name}' does not match body value '{target}'.";
    }

    /// <summary>A header value as sent, or the UTF-8 text inside <c>=?base64?…?=</c>; null when that is not valid Base64.</summary>
    private static string? DecodeHeaderValue(string value)
    {
        const string Prefix = "=?base64?";
        const string Suffix = "?=";
        if (!value.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || !value.EndsWith(Suffix, StringComparison.Ordinal) || value.Length < Prefix.Length + Suffix.Length)
        {
            return value;
        }

        var encoded = Encoding.ASCII.GetBytes(value[Prefix.Length..^Suffix.Length]);
        var decoded = new byte[Base64.GetMaxDecodedFromUtf8Length(encoded.Length)];
        if (Base64.DecodeFromUtf8(encoded, decoded, out _, out var written) != System.Buffers.OperationStatus.Done)
        {
            return null;
        }

        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(decoded, 0, written);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>
    /// A server of the request's own, over a stateless transport, with the request's services; the SDK's errors that
    /// the revision maps to HTTP statuses choose the status while nothing has been written.
    /// </summary>
    private async Task ServeAsync(HttpContext context, PostedMessage message, string version)
    {
        var options = serverOptionsFactory.Create(Microsoft.Extensions.Options.Options.DefaultName);
        options.ScopeRequests = false;
        var transports = api.Stateless!;
        var transport = transports.CreateStatelessTransport(loggerFactory);
        var server = api.CreateServer(transport, options, loggerFactory, context.RequestServices);
        using var lifetime = new CancellationTokenSource();
        var run = api.RunServerAsync(server, lifetime.Token);
        var answer = AnswerKeepAlive.Open(context, keepAlives);
        try
        {
            EventStreamResponse.Start(context);
            var wrote = await transports.HandleStatelessPostAsync(transport, message, context.User, version, answer, first =>
            {
                if (first is JsonRpcError { Error: { } error } && !context.Response.HasStarted)
                {
                    context.Response.StatusCode = error.Code switch
                    {
                        JsonRpcErrorCodes.MethodNotFound => StatusCodes.Status404NotFound,
                        JsonRpcErrorCodes.HeaderMismatch or JsonRpcErrorCodes.MissingRequiredClientCapability or JsonRpcErrorCodes.UnsupportedProtocolVersion => StatusCodes.Status400BadRequest,
                        _ => context.Response.StatusCode,
                    };
                }

                return default;
            }, answer.Token).ConfigureAwait(false);

            if (!wrote && !context.Response.HasStarted)
            {
                context.Response.Headers.ContentType = default;
                context.Response.StatusCode = StatusCodes.Status202Accepted;
            }
        }
        catch (OperationCanceledException) when (answer.Failed)
        {
            // A keep-alive could not be written: the client is gone, and so is its request (a listen stream's, say).
        }
        finally
        {
            await AnswerKeepAlive.CloseAsync(context, answer).ConfigureAwait(false);
            await ((IAsyncDisposable)transport).DisposeAsync().ConfigureAwait(false);
            await lifetime.CancelAsync().ConfigureAwait(false);
            try
            {
                await run.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The request is over, and so is its server.
            }

            if (server is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
