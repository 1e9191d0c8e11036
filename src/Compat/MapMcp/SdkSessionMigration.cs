using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Text.Json;
using McpCompat.Http;
using McpCompat.Probing;
using McpCompat.Resumption;
using McpCompat.Sessions;
using McpCompat.Telemetry;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol;

namespace McpCompat.MapMcp;

/// <summary>
/// Resumes evicted sessions on the SDK's own <c>MapMcp</c> through the SDK's own hook, <c>ISessionMigrationHandler</c>
/// (<see cref="SessionMigrationProxy"/>): the handshake's parameters are recorded when the SDK reports a session
/// initialized, and given back when a request names a session the SDK no longer holds, to its owner only. A client's
/// DELETE is final (<see cref="SdkSessionDeletion"/>).
/// Requests for one id share one read of the store; when it does not answer, the request gets 503 with <c>Retry-After</c>.
/// </summary>
internal sealed class SdkSessionMigration(
    SessionResumption resumption,
    ProtocolRevisions revisions,
    McpCompatMetrics metrics,
    PendingMigrations pending,
    ILogger<SdkSessionMigration> logger)
{
    // The SDK host's answer to a request for another user's session, word for word.
    private const string ForbiddenMessage = "Forbidden: The currently authenticated user does not match the user who initiated the session.";

    private static JsonTypeInfo<InitializeRequestParams> ParamsType =>
        (JsonTypeInfo<InitializeRequestParams>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(InitializeRequestParams));

    /// <summary>Gets whether sessions on the SDK's host resume: the window is set.</summary>
    public bool Enabled => resumption.Records is not null;

    /// <summary>
    /// Creates the handler the SDK's options take: <paramref name="handlerType"/> implemented by this object, its two
    /// methods as the probe found them in <paramref name="members"/>.
    /// </summary>
    [RequiresDynamicCode(TrimmingMessages.BuildsCodeForSdkTypes)]
    public object CreateHandler([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] Type handlerType, ProbedMembers members)
    {
        var proxy = DispatchProxy.Create(handlerType, typeof(SessionMigrationProxy));
        var migration = (SessionMigrationProxy)proxy;
        migration.Target = this;
        migration.Initialized = members.SessionMigrationInitialized;
        migration.Allow = members.SessionMigrationAllow;
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
        if (SessionRecord.FromInitialize(json, negotiated, UserKey.Of(context)) is { } record)
        {
            await records.SaveAsync(sessionId, record, again: false).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The parameters the SDK rebuilds session <paramref name="sessionId"/> with, or <see langword="null"/> (the SDK
    /// answers 404) when it has no usable record, the session was deleted, or the request's user is not its owner (403
    /// instead, by <see cref="ServeAsync"/>); when the store did not answer, 503 instead. A rebuild allowed stays counted
    /// in <see cref="PendingMigrations"/> until the SDK has registered the session.
    /// </summary>
    public async ValueTask<InitializeRequestParams?> AllowSessionMigrationAsync(HttpContext context, string sessionId, CancellationToken cancellationToken)
    {
        if (resumption.Records is not { } records)
        {
            return null;
        }

        var token = pending.Enter(sessionId);
        var handedOver = false;
        try
        {
            var lookup = await records.FindAsync(sessionId, cancellationToken).ConfigureAwait(false);
            if (lookup.State == RecordState.Unavailable)
            {
                Divert(context, DivertedAnswer.StoreUnavailable);
                return null;
            }

            if (lookup.Record is not { } record)
            {
                return null;
            }

            if (record.Owner != UserKey.Of(context))
            {
                // The hook can only decline, and the SDK then answers 404: that answer is diverted, and ServeAsync answers
                // what the SDK answers another user for a live session.
                Log.SessionResumeRefusedToOtherUser(logger, sessionId);
                Divert(context, DivertedAnswer.Forbidden);
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
            if (parameters is null)
            {
                return null;
            }

            // The SDK registers the session before it starts the response; the request's end counts it out otherwise.
            context.Response.OnStarting(static state =>
            {
                ((IDisposable)state).Dispose();
                return Task.CompletedTask;
            }, token);
            context.Features.Set(new MigrationInFlight(token));
            handedOver = true;
            records.Resumed(sessionId);
            Log.SessionResumed(logger, sessionId, record.ProtocolVersion);
            return parameters;
        }
        finally
        {
            if (!handedOver)
            {
                token.Dispose();
            }
        }
    }

    /// <summary>
    /// Serves a POST or GET on the SDK's endpoint: counts the request on its session's record (<see cref="RecordIndex.Use"/>);
    /// when the hook declined for a reason the SDK's 404 would hide, answers that instead: what the SDK answers another
    /// user for a live session (403, its message, the request's id), or 503 with <c>Retry-After</c> (the store did not
    /// answer).
    /// </summary>
    public async Task ServeAsync(HttpContext context, RequestDelegate sdk)
    {
        if (resumption.Records is { } records && context.Request.Headers[McpHeaders.SessionId].ToString() is { Length: > 0 } sessionId)
        {
            records.Use(sessionId);
        }

        try
        {
            await sdk(context).ConfigureAwait(false);
        }
        finally
        {
            context.Features.Get<MigrationInFlight>()?.Token.Dispose();
        }

        if (context.Features.Get<DivertedResumeFeature>() is not { } diverted)
        {
            return;
        }

        context.Features.Set<DivertedResumeFeature>(null);
        context.Features.Set(diverted.Original);
        context.Response.Headers.Remove(McpHeaders.SessionId);
        if (diverted.Answer == DivertedAnswer.StoreUnavailable)
        {
            context.Response.Headers.RetryAfter = JsonRpcErrorResponse.RetryAfterSeconds(resumption.Records?.Settings.Timeout ?? TimeSpan.Zero);
            await JsonRpcErrorResponse.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                Rewrite(diverted.Buffer, JsonRpcErrorCodes.ServerError, JsonRpcErrorResponse.StoreUnavailableMessage)).ConfigureAwait(false);
            return;
        }

        await JsonRpcErrorResponse.WriteAsync(context, StatusCodes.Status403Forbidden, Rewrite(diverted.Buffer, JsonRpcErrorCodes.ServerError, ForbiddenMessage)).ConfigureAwait(false);
    }

    private static void Divert(HttpContext context, DivertedAnswer answer)
    {
        if (context.Features.Get<IHttpResponseBodyFeature>() is { } body && !context.Response.HasStarted)
        {
            var diverted = new DivertedResumeFeature(body, answer);
            context.Features.Set(diverted);
            context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(diverted.Buffer));
        }
    }

    /// <summary>
    /// The SDK's own error (its 404 for the request, with the request's id) with another code and message: the same JSON,
    /// its properties in the SDK's order. Without the SDK's error, the SDK's answer to another user for a live session.
    /// </summary>
    private static byte[] Rewrite(MemoryStream written, int code, string message)
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
            return message == ForbiddenMessage ? ForbiddenError() : ErrorWithoutId(code, message);
        }

        detail["code"] = code;
        detail["message"] = message;
        return System.Text.Encoding.UTF8.GetBytes(error.ToJsonString(McpJsonUtilities.DefaultOptions));
    }

    /// <summary>The SDK's answer to another user for a live session when it has no request id, in the SDK's own shape.</summary>
    /// <summary>The SDK host's answer to a request for another user's session, without an id.</summary>
    internal static byte[] ForbiddenError() => ForbiddenWithoutId.Value;

    private static byte[] ErrorWithoutId(int code, string message)
    {
        var error = new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["error"] = new JsonObject { ["code"] = code, ["message"] = message },
            ["id"] = null,
        };
        return System.Text.Encoding.UTF8.GetBytes(error.ToJsonString());
    }

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

    /// <summary>Answers 503 with <c>Retry-After</c>: the store of records did not answer in time.</summary>
    internal static Task WriteStoreUnavailableAsync(HttpContext context, SessionRecordStore records)
    {
        context.Response.Headers.RetryAfter = JsonRpcErrorResponse.RetryAfterSeconds(records.Settings.Timeout);
        return JsonRpcErrorResponse.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, JsonRpcErrorCodes.ServerError, JsonRpcErrorResponse.StoreUnavailableMessage);
    }
}
