using Microsoft.Extensions.Logging;

namespace McpCompat.Gateway;

/// <summary>McpCompat Gateway's log messages: event ids from 100, stable and never reused (McpCompat's own are below).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, EventName = "GatewayMapped", Level = LogLevel.Information,
        Message = "McpCompat Gateway: {Pattern} relays to {Upstreams}; a session idle for {IdleTimeout} is ended upstream (DELETE), at most {MaxSessions} sessions, keep-alives every {KeepAliveInterval}.")]
    public static partial void GatewayMapped(ILogger logger, string pattern, string upstreams, string idleTimeout, int maxSessions, string keepAliveInterval);

    [LoggerMessage(EventId = 101, EventName = "NoGatewayMapped", Level = LogLevel.Warning,
        Message = "McpCompat Gateway: no gateway is mapped: call app.MapMcpCompatGateway(\"/mcp\", upstreams) before the application starts.")]
    public static partial void NoGatewayMapped(ILogger logger);

    [LoggerMessage(EventId = 102, EventName = "UpstreamDeleteFailed", Level = LogLevel.Warning,
        Message = "McpCompat Gateway could not end session {SessionId} upstream ({UpstreamSessionId} on {Upstream}): {Problem}; the gateway's state of it is freed, and the upstream keeps its own until it ends it.")]
    public static partial void UpstreamDeleteFailed(ILogger logger, string sessionId, string upstreamSessionId, Uri upstream, string problem);

    [LoggerMessage(EventId = 103, EventName = "UpstreamFailed", Level = LogLevel.Debug,
        Message = "McpCompat Gateway: a {Method} to {Upstream} failed ({Error}); answered {StatusCode}.")]
    public static partial void UpstreamFailed(ILogger logger, string method, Uri upstream, string error, int statusCode);

    [LoggerMessage(EventId = 104, EventName = "UpstreamForgotSession", Level = LogLevel.Debug,
        Message = "McpCompat Gateway: {Upstream} answered 404 for session {SessionId} ({UpstreamSessionId}), which the gateway held live; the session ends.")]
    public static partial void UpstreamForgotSession(ILogger logger, Uri upstream, string sessionId, string upstreamSessionId);

    [LoggerMessage(EventId = 105, EventName = "SessionRebuilt", Level = LogLevel.Debug,
        Message = "McpCompat Gateway rebuilt session {SessionId} on {Upstream} ({UpstreamSessionId}), replaying its handshake; its client keeps its id.")]
    public static partial void SessionRebuilt(ILogger logger, string sessionId, Uri upstream, string upstreamSessionId);

    [LoggerMessage(EventId = 106, EventName = "SessionRebuildFailed", Level = LogLevel.Warning,
        Message = "McpCompat Gateway could not rebuild session {SessionId} on any of its {Upstreams} upstreams; its client is answered 404 and starts a new session.")]
    public static partial void SessionRebuildFailed(ILogger logger, string sessionId, int upstreams);

    [LoggerMessage(EventId = 107, EventName = "HandshakeReplayFailed", Level = LogLevel.Debug,
        Message = "McpCompat Gateway could not replay a handshake on {Upstream}: {Problem}")]
    public static partial void HandshakeReplayFailed(ILogger logger, Uri upstream, string problem);

    [LoggerMessage(EventId = 109, EventName = "UpstreamDetected", Level = LogLevel.Information,
        Message = "McpCompat Gateway: {Upstream} is {Server}, protocol revision {Revision}; {Sessions}; {Delete}.")]
    public static partial void UpstreamDetected(ILogger logger, Uri upstream, string server, string revision, string sessions, string delete);

    [LoggerMessage(EventId = 110, EventName = "UpstreamUnreachable", Level = LogLevel.Warning,
        Message = "McpCompat Gateway could not look at {Upstream}: {Problem}; it tries again every {RetryDelay}, and relays requests to it meanwhile.")]
    public static partial void UpstreamUnreachable(ILogger logger, Uri upstream, string problem, TimeSpan retryDelay);

    [LoggerMessage(EventId = 111, EventName = "UpstreamEndsSessions", Level = LogLevel.Information,
        Message = "McpCompat Gateway: {Upstream} answered 404 for a session the gateway held live: it ends sessions itself, restarted, or shares no sessions with its replicas. The gateway rebuilds such sessions from their handshake (said once per upstream).")]
    public static partial void UpstreamEndsSessions(ILogger logger, Uri upstream);

    [LoggerMessage(EventId = 112, EventName = "UpstreamAsksCredentials", Level = LogLevel.Information,
        Message = "McpCompat Gateway: {Upstream} answered the gateway's look with {Status}: it asks for credentials, which the look (made before any client) does not carry. Relayed requests carry their client's, and the gateway's own requests for a session carry those named by McpCompat:Gateway:SessionHeaders; what the gateway learns while relaying is reported.")]
    public static partial void UpstreamAsksCredentials(ILogger logger, Uri upstream, int status);
}
