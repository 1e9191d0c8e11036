using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using McpCompat.Hosting;
using McpCompat.Http;
using McpCompat.Resumption;
using McpCompat.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpCompat.SdkHost;

/// <summary>
/// Resumes evicted sessions on the SDK's own <c>MapMcp</c> through the SDK's own hook, <c>ISessionMigrationHandler</c>
/// (<see cref="SessionMigrationProxy"/>): the handshake's parameters are recorded when the SDK reports a session
/// initialized, and given back when a request names a session the SDK no longer holds, to its owner only. A client's
/// DELETE (seen in front of the SDK's endpoint, for the hook hears of none) deletes the record.
/// </summary>
internal sealed class SdkSessionMigration(
    SessionResumption resumption,
    ProtocolRevisions revisions,
    McpCompatMetrics metrics,
    SessionEndBroadcast fleet,
    TimeProvider timeProvider,
    ILogger<SdkSessionMigration> logger)
{
    // The SDK host's answer to a request for another user's session, word for word.
    private const string ForbiddenMessage = "Forbidden: The currently authenticated user does not match the user who initiated the session.";

    private static JsonTypeInfo<InitializeRequestParams> ParamsType =>
        (JsonTypeInfo<InitializeRequestParams>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(InitializeRequestParams));

    /// <summary>Gets whether sessions on the SDK's host resume: the window is set.</summary>
    public bool Enabled => resumption.Records is not null;

    /// <summary>Creates the handler the SDK's options take: <paramref name="handlerType"/> implemented by this object.</summary>
    [RequiresDynamicCode(TrimmingMessages.BuildsCodeForSdkTypes)]
    public object CreateHandler([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] Type handlerType)
    {
        var proxy = DispatchProxy.Create(handlerType, typeof(SessionMigrationProxy));
        ((SessionMigrationProxy)proxy).Target = this;
        return proxy;
    }

    /// <summary>Records the session the SDK has just initialized, with the revision its server negotiates.</summary>
    public async ValueTask OnSessionInitializedAsync(HttpContext context, string sessionId, InitializeRequestParams parameters, CancellationToken cancellationToken)
    {
        if (resumption.Records is not { } records)
        {
            return;
        }

        // The SDK hands over the client's parameters: the revision it asked for, which the server answers with when it
        // knows it and with its newest revision with sessions otherwise.
        var requested = parameters.ProtocolVersion;
        var negotiated = revisions.IsSupported(requested) && !revisions.IsSessionless(requested) ? requested
            : revisions.WithSessions.Count > 0 ? revisions.WithSessions[^1] : requested;
        var json = JsonSerializer.SerializeToElement(parameters, ParamsType);
        if (SessionRecord.FromInitialize(json, negotiated, UserKey.From(context.User), timeProvider.GetUtcNow()) is { } record)
        {
            await records.SaveAsync(sessionId, record, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The parameters the SDK rebuilds session <paramref name="sessionId"/> with, or <see langword="null"/> (the SDK
    /// answers 404) when it has no usable record or the request's user is not its owner.
    /// </summary>
    public async ValueTask<InitializeRequestParams?> AllowSessionMigrationAsync(HttpContext context, string sessionId, CancellationToken cancellationToken)
    {
        if (resumption.Records is not { } records || await records.FindAsync(sessionId, cancellationToken).ConfigureAwait(false) is not { } record)
        {
            return null;
        }

        if (record.Owner != UserKey.From(context.User))
        {
            // The hook can only decline, and the SDK then answers 404: that answer is diverted, and ServeAsync answers
            // what the SDK answers another user for a live session.
            Log.SessionResumeRefusedToOtherUser(logger, sessionId);
            if (context.Features.Get<IHttpResponseBodyFeature>() is { } body && !context.Response.HasStarted)
            {
                var forbidden = new ForbiddenResumeFeature(body);
                context.Features.Set(forbidden);
                context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(forbidden.Buffer));
            }

            return null;
        }

        if (!revisions.IsSupported(record.ProtocolVersion) || revisions.IsSessionless(record.ProtocolVersion))
        {
            Log.SessionRecordRefused(logger, sessionId, $"it names protocol revision {record.ProtocolVersion}, which this SDK has no session for");
            return null;
        }

        InitializeRequestParams? parameters;
        try
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                record.WriteInitializeParams(json);
            }

            parameters = JsonSerializer.Deserialize(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), ParamsType);
        }
        catch (JsonException ex)
        {
            Log.SessionRecordRefused(logger, sessionId, $"the SDK cannot read its initialize parameters ({ex.Message})");
            return null;
        }

        metrics.SessionResumed(succeeded: parameters is not null);
        if (parameters is not null)
        {
            Log.SessionResumed(logger, sessionId, record.ProtocolVersion);
        }

        return parameters;
    }

    /// <summary>
    /// Serves a POST or GET on the SDK's endpoint; when the hook declined another user's evicted session, answers what the
    /// SDK answers another user for a live session (403, its message, the request's id) instead of the SDK's 404.
    /// </summary>
    public static async Task ServeAsync(HttpContext context, RequestDelegate sdk)
    {
        await sdk(context).ConfigureAwait(false);
        if (context.Features.Get<ForbiddenResumeFeature>() is not { } forbidden)
        {
            return;
        }

        context.Features.Set<ForbiddenResumeFeature>(null);
        context.Features.Set(forbidden.Original);
        context.Response.Headers.Remove(McpHeaders.SessionId);
        await JsonRpcErrorResponse.WriteAsync(context, StatusCodes.Status403Forbidden, AsForbidden(forbidden.Buffer)).ConfigureAwait(false);
    }

    /// <summary>
    /// The SDK's own error (its 404 for the request, with the request's id) turned into its 403: the same JSON, its
    /// properties in the SDK's order, with the SDK's code and message for another user's session.
    /// </summary>
    private static byte[] AsForbidden(MemoryStream written)
    {
        JsonNode? error = null;
        try
        {
            error = JsonNode.Parse(written.GetBuffer().AsSpan(0, (int)written.Length));
        }
        catch (JsonException)
        {
        }

        if (error?["error"] is not JsonObject detail)
        {
            return ForbiddenError();
        }

        detail["code"] = JsonRpcErrorCodes.ServerError;
        detail["message"] = ForbiddenMessage;
        return System.Text.Encoding.UTF8.GetBytes(error.ToJsonString(McpJsonUtilities.DefaultOptions));
    }

    /// <summary>The SDK's answer to another user for a live session when it has no request id, in the SDK's own shape.</summary>
    private static byte[] ForbiddenError() => ForbiddenWithoutId.Value;

    /// <summary>
    /// The SDK's <c>JsonRpcError</c> for that answer, serialized by the SDK: made by reflection, once, since the SDK's
    /// message types change their accessors between builds (a setter in one is <c>init</c> in the next).
    /// </summary>
    private static readonly Lazy<byte[]> ForbiddenWithoutId = new(() =>
    {
        object detail = Activator.CreateInstance<JsonRpcErrorDetail>();
        typeof(JsonRpcErrorDetail).GetProperty(nameof(JsonRpcErrorDetail.Code))!.SetValue(detail, JsonRpcErrorCodes.ServerError);
        typeof(JsonRpcErrorDetail).GetProperty(nameof(JsonRpcErrorDetail.Message))!.SetValue(detail, ForbiddenMessage);
        object error = Activator.CreateInstance<JsonRpcError>();
        typeof(JsonRpcError).GetProperty(nameof(JsonRpcError.Error))!.SetValue(error, detail);
        return JsonSerializer.SerializeToUtf8Bytes(error, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcError)));
    });

    /// <summary>
    /// Serves a DELETE on the SDK's endpoint: another user's is refused as the SDK refuses it for a live session (the SDK
    /// would answer 200 for an evicted one, and delete nothing); the owner's ends the session, and its record with it.
    /// </summary>
    public async Task DeleteAsync(HttpContext context, RequestDelegate sdk)
    {
        var sessionId = context.Request.Headers[McpHeaders.SessionId].ToString();
        if (resumption.Records is not { } records || sessionId.Length == 0)
        {
            await sdk(context).ConfigureAwait(false);
            return;
        }

        var record = await records.FindAsync(sessionId, context.RequestAborted).ConfigureAwait(false);
        if (record is not null && record.Owner != UserKey.From(context.User))
        {
            await JsonRpcErrorResponse.WriteAsync(context, StatusCodes.Status403Forbidden, ForbiddenError()).ConfigureAwait(false);
            return;
        }

        await sdk(context).ConfigureAwait(false);
        if (context.Response.StatusCode == StatusCodes.Status200OK)
        {
            if (record is not null)
            {
                await records.RemoveAsync(sessionId, CancellationToken.None).ConfigureAwait(false);
            }

            // Other instances may hold a copy, resumed there: they end it (as its owner, who this request's user is).
            await fleet.PublishAsync(sessionId, record?.Owner ?? UserKey.From(context.User)).ConfigureAwait(false);
        }
    }
}
