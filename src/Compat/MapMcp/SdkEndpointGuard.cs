using System.Runtime.InteropServices;
using System.Text.Json;
using McpCompat.Http;
using McpCompat.Probing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;

namespace McpCompat.MapMcp;

/// <summary>
/// <c>MapMcpCompat</c>'s request checks around the SDK's own <c>MapMcp</c> endpoints (<see cref="McpCompatOptions.Guard"/>):
/// Host and Origin on every one of them; on the Streamable HTTP POST also Accept, Content-Type, the body limit and a
/// body that is one JSON object, read once and handed on to the SDK; on the legacy <c>/message</c> POST the body limit
/// and one JSON object. The checks are <see cref="RequestValidator"/>'s
/// and <see cref="RequestBodyReader"/>'s, answering as <c>MapMcpCompat</c> does. Last, the body is read with the SDK's
/// own types, as the SDK will read it: a message, or <c>initialize</c> params, that the SDK cannot read gets 400 here
/// instead of the SDK's 500.
/// </summary>
internal sealed class SdkEndpointGuard
{
    private readonly RefusalWriter _refusals;
    private readonly RequestValidator _validator;
    private readonly RequestBodyReader _bodyReader;
    private readonly SdkEndpoints _endpoints;

    public SdkEndpointGuard(IOptions<McpCompatOptions> options, ProtocolRevisions revisions, SdkEndpoints endpoints, ILogger<SdkEndpointGuard> logger)
    {
        Enabled = options.Value.Guard;
        _endpoints = endpoints;
        _refusals = new RefusalWriter(logger);
        _validator = new RequestValidator(options, _refusals, revisions);
        _bodyReader = new RequestBodyReader(_refusals, logger);
    }

    /// <summary>Gets a value indicating whether the checks run on the SDK's endpoints (<see cref="McpCompatOptions.Guard"/>).</summary>
    public bool Enabled { get; }

    /// <summary>Returns <paramref name="next"/> (the SDK's endpoint <paramref name="endpoint"/>, or what is in front of it) with the checks in front.</summary>
    public RequestDelegate Guard(Endpoint endpoint, RequestDelegate next) =>
        (SdkEndpoints.Serves(endpoint, HttpMethods.Post), _endpoints.IsStreamableHttp(endpoint)) switch
        {
            (true, true) => context => CheckPostAsync(context, next),
            (true, false) => context => CheckLegacyPostAsync(context, next),
            _ => context => _validator.RefuseForeignHostOrOrigin(context) ?? next(context),
        };

    private async Task CheckPostAsync(HttpContext context, RequestDelegate sdk)
    {
        if (_validator.RefuseForeignHostOrOrigin(context) is { } refused)
        {
            await refused.ConfigureAwait(false);
            return;
        }

        if (!await _validator.CheckPostMediaTypesAsync(context).ConfigureAwait(false) ||
            await _bodyReader.ReadAsync(context).ConfigureAwait(false) is not { } body ||
            await _bodyReader.ParseAsync(context, body).ConfigureAwait(false) is null ||
            !await CheckSdkCanReadAsync(context, body).ConfigureAwait(false))
        {
            return;
        }

        await HandOnAsync(context, body, sdk).ConfigureAwait(false);
    }

    /// <summary>
    /// The legacy HTTP with SSE transport's POST (<c>/message</c>, mapped by the SDK's host on a stateful server): Host and
    /// Origin, the body limit and a body that is one JSON object. Its clients were never asked for an Accept or a
    /// Content-Type, so neither is checked.
    /// </summary>
    private async Task CheckLegacyPostAsync(HttpContext context, RequestDelegate sdk)
    {
        if (_validator.RefuseForeignHostOrOrigin(context) is { } refused)
        {
            await refused.ConfigureAwait(false);
            return;
        }

        if (await _bodyReader.ReadAsync(context).ConfigureAwait(false) is not { } body ||
            await _bodyReader.ParseAsync(context, body).ConfigureAwait(false) is null)
        {
            return;
        }

        await HandOnAsync(context, body, sdk).ConfigureAwait(false);
    }

    /// <summary>The body has been read: the SDK reads it again from memory.</summary>
    private static Task HandOnAsync(HttpContext context, ReadOnlyMemory<byte> body, RequestDelegate sdk)
    {
        context.Request.Body = MemoryMarshal.TryGetArray(body, out var bytes)
            ? new MemoryStream(bytes.Array!, bytes.Offset, bytes.Count, writable: false)
            : new MemoryStream(body.ToArray(), writable: false);
        return sdk(context);
    }

    /// <summary>Answers 400 and returns <see langword="false"/> when the SDK's own types cannot read the message or its <c>initialize</c> params.</summary>
    private async ValueTask<bool> CheckSdkCanReadAsync(HttpContext context, ReadOnlyMemory<byte> body)
    {
        JsonRpcMessage? message;
        try
        {
            message = JsonSerializer.Deserialize(body.Span, McpJsonTypes.Message);
        }
        catch (JsonException)
        {
            message = null;
        }

        if (message is null)
        {
            await _refusals.WriteAsync(context, StatusCodes.Status400BadRequest, JsonRpcErrorCodes.InvalidRequest, "Invalid Request: not a JSON-RPC message").ConfigureAwait(false);
            return false;
        }

        if (message is JsonRpcRequest { Method: "initialize", Params: { } parameters })
        {
            try
            {
                _ = JsonSerializer.Deserialize(parameters, McpJsonTypes.InitializeParams);
            }
            catch (JsonException ex)
            {
                await _refusals.WriteAsync(context, StatusCodes.Status400BadRequest, JsonRpcErrorCodes.InvalidParams, $"Invalid params: {ex.Message}").ConfigureAwait(false);
                return false;
            }
        }

        return true;
    }
}
