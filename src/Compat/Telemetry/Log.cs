using Microsoft.Extensions.Logging;

namespace McpCompat.Telemetry;

/// <summary>McpCompat's log messages. Event ids are stable and never reused.</summary>
internal static partial class Log
{
    // Retired event ids, never to be reused: 23, 24, 26 (the session store's failures, now SessionStoreProblem and SessionStoreProblems).

    [LoggerMessage(EventId = 1, EventName = "NativePath", Level = LogLevel.Information,
        Message = "McpCompat: {Sdk}: the SDK's own idle timeout is in charge (IdleTimeout {IdleTimeout}, MaxIdleSessionCount {MaxIdleSessionCount}) because {Reason}.")]
    public static partial void NativePath(ILogger logger, string sdk, string idleTimeout, string maxIdleSessionCount, string reason);

    [LoggerMessage(EventId = 2, EventName = "FallbackPath", Level = LogLevel.Warning,
        Message = "McpCompat: {Sdk}: McpCompat's sweeper is in charge of idle sessions (idle timeout {IdleTimeout}, max idle sessions {MaxIdleSessions}, sweep every {SweepInterval}) because {Reason}.")]
    public static partial void FallbackPath(ILogger logger, string sdk, string idleTimeout, int maxIdleSessions, TimeSpan sweepInterval, string reason);

    [LoggerMessage(EventId = 3, EventName = "StatelessPath", Level = LogLevel.Information,
        Message = "McpCompat: {Sdk}: nothing to expire: {Reason}; no session outlives its request.")]
    public static partial void StatelessPath(ILogger logger, string sdk, string reason);

    [LoggerMessage(EventId = 4, EventName = "NoHttpHost", Level = LogLevel.Warning,
        Message = "McpCompat: {Sdk}: no MCP endpoint is mapped, and this SDK has no Streamable HTTP host of its own ({Reason}): call app.MapMcpCompat(\"/mcp\") to serve one whose sessions expire. Until then McpCompat ends no sessions.")]
    public static partial void NoHttpHost(ILogger logger, string sdk, string reason);

    [LoggerMessage(EventId = 5, EventName = "Advisory", Level = LogLevel.Information,
        Message = "McpCompat: advisory {AdvisoryId} applies to {Package} {Version} (affected {AffectedVersions}): {Summary}")]
    public static partial void Advisory(ILogger logger, string advisoryId, string package, string? version, string affectedVersions, string summary);

    [LoggerMessage(EventId = 19, EventName = "AdvisoryNotInEffect", Level = LogLevel.Debug,
        Message = "McpCompat: advisory {AdvisoryId} concerns {Package} {Version} (affected {AffectedVersions}) only for servers that run stateless, and this one keeps sessions: {Summary}")]
    public static partial void AdvisoryNotInEffect(ILogger logger, string advisoryId, string package, string? version, string affectedVersions, string summary);

    [LoggerMessage(EventId = 6, EventName = "HostedPath", Level = LogLevel.Warning,
        Message = "McpCompat: {Sdk}: MapMcpCompat hosts Streamable HTTP over ModelContextProtocol.Core ({Shape} transport API), which has no idle timeout of its own; McpCompat's sweeper is in charge of idle sessions (idle timeout {IdleTimeout}, max idle sessions {MaxIdleSessions}, sweep every {SweepInterval}).")]
    public static partial void HostedPath(ILogger logger, string sdk, string shape, string idleTimeout, int maxIdleSessions, TimeSpan sweepInterval);

    [LoggerMessage(EventId = 10, EventName = "SessionEvicted", Level = LogLevel.Debug,
        Message = "McpCompat ended session {SessionId}: {Reason} (idle {IdleSeconds:0.###} s).")]
    public static partial void SessionEvicted(ILogger logger, string sessionId, string reason, double idleSeconds);

    [LoggerMessage(EventId = 11, EventName = "EvictionFailed", Level = LogLevel.Warning,
        Message = "McpCompat could not end session {SessionId}; it stays tracked and is tried again once idle for the timeout again.")]
    public static partial void EvictionFailed(ILogger logger, string sessionId, Exception exception);

    [LoggerMessage(EventId = 12, EventName = "EvictionRefused", Level = LogLevel.Warning,
        Message = "McpCompat could not end session {SessionId}: the SDK's DELETE answered HTTP {StatusCode}; it stays tracked and is tried again once idle for the timeout again.")]
    public static partial void EvictionRefused(ILogger logger, string sessionId, int statusCode);

    [LoggerMessage(EventId = 13, EventName = "NoDeleteEndpoint", Level = LogLevel.Error,
        Message = "McpCompat cannot end session {SessionId}: no DELETE endpoint of the SDK matches route {Route}.")]
    public static partial void NoDeleteEndpoint(ILogger logger, string sessionId, string? route);

    [LoggerMessage(EventId = 15, EventName = "HostedSessionStarted", Level = LogLevel.Debug,
        Message = "McpCompat started session {SessionId}.")]
    public static partial void HostedSessionStarted(ILogger logger, string sessionId);

    [LoggerMessage(EventId = 16, EventName = "HostedSessionDisposeFailed", Level = LogLevel.Warning,
        Message = "McpCompat ended session {SessionId}, but disposing it failed.")]
    public static partial void HostedSessionDisposeFailed(ILogger logger, string sessionId, Exception exception);

    [LoggerMessage(EventId = 17, EventName = "RequestRefused", Level = LogLevel.Debug,
        Message = "McpCompat refused a {Method} request with HTTP {StatusCode}: {Reason}")]
    public static partial void RequestRefused(ILogger logger, string method, int statusCode, string reason);

    [LoggerMessage(EventId = 20, EventName = "RequestBodyUnreadable", Level = LogLevel.Debug,
        Message = "McpCompat could not read the body of a {Method} request, the client's doing: {Reason}")]
    public static partial void RequestBodyUnreadable(ILogger logger, string method, string reason, Exception exception);

    [LoggerMessage(EventId = 14, EventName = "SweepFailed", Level = LogLevel.Error,
        Message = "McpCompat's sweep failed; the sweeper keeps running.")]
    public static partial void SweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 18, EventName = "EvictionsStillRunning", Level = LogLevel.Warning,
        Message = "McpCompat: {Count} session evictions did not finish within {WaitSeconds} s; the sweeper goes on and they finish in the background (the sessions already refuse requests).")]
    public static partial void EvictionsStillRunning(ILogger logger, int count, double waitSeconds);

    [LoggerMessage(EventId = 21, EventName = "ShutdownGrace", Level = LogLevel.Information,
        Message = "McpCompat: the application is stopping with {Calls} requests in flight on {Sessions} sessions; they have {Grace} to finish, then their sessions end and each is answered -32001 (the host's shutdown timeout is {ShutdownTimeout}).")]
    public static partial void ShutdownGrace(ILogger logger, int calls, int sessions, TimeSpan grace, TimeSpan shutdownTimeout);

    [LoggerMessage(EventId = 22, EventName = "ShutdownEndingCalls", Level = LogLevel.Warning,
        Message = "McpCompat: {Calls} requests on {Sessions} sessions are still in flight as the host's shutdown timeout nears; their sessions end now and each is answered -32001.")]
    public static partial void ShutdownEndingCalls(ILogger logger, int calls, int sessions);

    [LoggerMessage(EventId = 25, EventName = "SessionRecordRefused", Level = LogLevel.Warning,
        Message = "McpCompat refused the record of session {SessionId}: {Problem}; the request is answered as for an unknown session (404).")]
    public static partial void SessionRecordRefused(ILogger logger, string sessionId, string problem);

    [LoggerMessage(EventId = 27, EventName = "SessionResumed", Level = LogLevel.Debug,
        Message = "McpCompat resumed session {SessionId} from its record (protocol {ProtocolVersion}).")]
    public static partial void SessionResumed(ILogger logger, string sessionId, string protocolVersion);

    [LoggerMessage(EventId = 28, EventName = "SessionResumeRefusedToOtherUser", Level = LogLevel.Information,
        Message = "McpCompat did not resume session {SessionId} for a user who is not its owner; the SDK's host answers 404.")]
    public static partial void SessionResumeRefusedToOtherUser(ILogger logger, string sessionId);

    [LoggerMessage(EventId = 29, EventName = "SessionMigrationHandlerKept", Level = LogLevel.Warning,
        Message = "McpCompat: SessionResumeWindow is set, but the application gave the SDK's host an ISessionMigrationHandler of its own ({HandlerType}); McpCompat leaves it in place, and evicted sessions resume only as that handler allows.")]
    public static partial void SessionMigrationHandlerKept(ILogger logger, string handlerType);

    [LoggerMessage(EventId = 30, EventName = "SessionResumeUnavailable", Level = LogLevel.Warning,
        Message = "McpCompat: SessionResumeWindow is set, but {Sdk} has no session migration hook ({Evidence}); on the SDK's MapMcp an evicted session is answered 404. MapMcpCompat resumes sessions on every SDK.")]
    public static partial void SessionResumeUnavailable(ILogger logger, string sdk, string evidence);

    [LoggerMessage(EventId = 31, EventName = "SessionEndedByFleet", Level = LogLevel.Debug,
        Message = "McpCompat ended its copy of session {SessionId}: its client deleted it on another instance.")]
    public static partial void SessionEndedByFleet(ILogger logger, string sessionId);

    [LoggerMessage(EventId = 32, EventName = "SessionEndPublishFailed", Level = LogLevel.Warning,
        Message = "McpCompat could not tell the other instances that session {SessionId} was deleted; their copies end when they idle out (its record is deleted).")]
    public static partial void SessionEndPublishFailed(ILogger logger, string sessionId, Exception exception);

    [LoggerMessage(EventId = 33, EventName = "SessionEndFailed", Level = LogLevel.Warning,
        Message = "McpCompat could not end its copy of session {SessionId}, deleted on another instance; it ends when it idles out.")]
    public static partial void SessionEndFailed(ILogger logger, string sessionId, Exception exception);

    [LoggerMessage(EventId = 34, EventName = "SessionEndChannelFailed", Level = LogLevel.Warning,
        Message = "McpCompat could not subscribe to the session end channel; it tries again every {RetrySeconds} s. Meanwhile a DELETE on another instance does not end this instance's copies at once (they end when they idle out; their records are deleted).")]
    public static partial void SessionEndChannelFailed(ILogger logger, double retrySeconds, Exception exception);

    [LoggerMessage(EventId = 36, EventName = "SessionStoreProblem", Level = LogLevel.Warning,
        Message = "McpCompat: session {SessionId}: {Problem}. Further problems of the session store are summed up every {SummarySeconds} s.")]
    public static partial void SessionStoreProblem(ILogger logger, string sessionId, string problem, double summarySeconds, Exception? exception);

    [LoggerMessage(EventId = 37, EventName = "SessionStoreProblems", Level = LogLevel.Warning,
        Message = "McpCompat: {Count} more problems of the session store in the last {Seconds} s ({Counts}); the sessions concerned cannot resume, or were answered 503 to try again.")]
    public static partial void SessionStoreProblems(ILogger logger, int count, double seconds, string counts);

    [LoggerMessage(EventId = 38, EventName = "DeleteRefusedStoreUnavailable", Level = LogLevel.Warning,
        Message = "McpCompat answered a DELETE of session {SessionId} with 503: the session store could not record the deletion, so nothing was ended; the client may try again.")]
    public static partial void DeleteRefusedStoreUnavailable(ILogger logger, string sessionId);

    [LoggerMessage(EventId = 35, EventName = "SessionEndChannelSubscribed", Level = LogLevel.Information,
        Message = "McpCompat subscribed to the session end channel after failing before.")]
    public static partial void SessionEndChannelSubscribed(ILogger logger);

    [LoggerMessage(EventId = 39, EventName = "NoEndpointMapped", Level = LogLevel.Warning,
        Message = "McpCompat: {Sdk}: no MCP endpoint is mapped: call app.MapMcp(\"/mcp\") (the SDK's host) or app.MapMcpCompat(\"/mcp\") (McpCompat's) before the application starts. Until then McpCompat ends no sessions.")]
    public static partial void NoEndpointMapped(ILogger logger, string sdk);

    [LoggerMessage(EventId = 40, EventName = "ResumableSessions", Level = LogLevel.Information,
        Message = "McpCompat: sessions it ends can resume under their id for {Window} (SessionResumeWindow), from records in {Store} (at most {MaxRecords}); {Fleet}.")]
    public static partial void ResumableSessions(ILogger logger, TimeSpan window, string store, int maxRecords, string fleet);

    [LoggerMessage(EventId = 41, EventName = "SessionsEnded", Level = LogLevel.Information,
        Message = "McpCompat ended {Count} sessions in the last {Seconds} s ({Reasons}); each one is logged at Debug (SessionEvicted).")]
    public static partial void SessionsEnded(ILogger logger, int count, int seconds, string reasons);
}
