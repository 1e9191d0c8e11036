using System.Reflection;

namespace McpCompat.Probing;

/// <summary>
/// Every SDK member McpCompat reflects on, found once by the probe (<see cref="SdkProbe"/>) and handed on to the code
/// that compiles delegates from them. A member the probe did not find is <see langword="null"/>; nothing else in
/// McpCompat looks members up by name.
/// </summary>
internal sealed record ProbedMembers
{
    // The SDK's own Streamable HTTP host (ModelContextProtocol.AspNetCore).
    public Type? HttpServerTransportOptionsType { get; init; }

    public PropertyInfo? IdleTimeout { get; init; }

    public PropertyInfo? MaxIdleSessionCount { get; init; }

    public PropertyInfo? TimeProvider { get; init; }

    public PropertyInfo? SessionMode { get; init; }

    public PropertyInfo? Stateless { get; init; }

    /// <summary>Gets the type whose methods serve the Streamable HTTP endpoints the SDK's <c>MapMcp</c> maps (<c>StreamableHttpHandler</c>).</summary>
    public Type? StreamableHttpHandlerType { get; init; }

    /// <summary>Gets the type whose methods serve the legacy HTTP with SSE endpoints (<c>/sse</c>, <c>/message</c>) of <c>MapMcp</c> (<c>SseHandler</c>).</summary>
    public Type? SseHandlerType { get; init; }

    // The Streamable HTTP transport (ModelContextProtocol.Core), which MapMcpCompat hosts.
    public Type? StreamableHttpServerTransportType { get; init; }

    /// <summary>Gets <c>HandlePostRequestAsync(JsonRpcMessage, Stream, CancellationToken)</c>: the message API shape.</summary>
    public MethodInfo? HandlePostMessage { get; init; }

    /// <summary>Gets <c>HandlePostRequest(IDuplexPipe, CancellationToken)</c>: the pipe API shape.</summary>
    public MethodInfo? HandlePostPipe { get; init; }

    /// <summary>Gets <c>HandleGetRequestAsync(Stream, CancellationToken)</c> (message shape).</summary>
    public MethodInfo? HandleGetMessage { get; init; }

    /// <summary>Gets <c>HandleGetRequest(Stream, CancellationToken)</c> (pipe shape).</summary>
    public MethodInfo? HandleGetPipe { get; init; }

    /// <summary>Gets the transport's constructor taking an <c>ILoggerFactory</c> (message shape).</summary>
    public ConstructorInfo? TransportLoggerFactoryConstructor { get; init; }

    /// <summary>Gets the transport's parameterless constructor (pipe shape).</summary>
    public ConstructorInfo? TransportDefaultConstructor { get; init; }

    /// <summary>Gets the transport's settable <c>SessionId</c>, where it has one.</summary>
    public PropertyInfo? TransportSessionId { get; init; }

    /// <summary>Gets <c>McpServer.Create(ITransport, McpServerOptions, ILoggerFactory, IServiceProvider)</c>, or <c>McpServerFactory.Create</c> before 1.0.</summary>
    public MethodInfo? ServerCreate { get; init; }

    /// <summary>Gets <c>RunAsync(CancellationToken)</c> on what <see cref="ServerCreate"/> returns.</summary>
    public MethodInfo? ServerRun { get; init; }

    /// <summary>Gets <c>JsonRpcMessage.Context</c>, where the request's user and protocol version travel (message shape).</summary>
    public PropertyInfo? MessageContext { get; init; }

    /// <summary>Gets the context type's parameterless constructor.</summary>
    public ConstructorInfo? MessageContextConstructor { get; init; }

    /// <summary>Gets the context's settable <c>User</c> (a <c>ClaimsPrincipal</c>), where it has one.</summary>
    public PropertyInfo? MessageContextUser { get; init; }

    /// <summary>Gets the context's settable <c>ProtocolVersion</c> (a string), where it has one.</summary>
    public PropertyInfo? MessageContextProtocolVersion { get; init; }

    /// <summary>Gets the transport's settable <c>EventStreamStore</c>, whose type is the SDK's <c>ISseEventStreamStore</c>.</summary>
    public PropertyInfo? TransportEventStreamStore { get; init; }

    /// <summary>Gets <c>ISseEventStreamStore.GetStreamReaderAsync(string, CancellationToken)</c>.</summary>
    public MethodInfo? EventStreamStoreGetReader { get; init; }

    /// <summary>Gets <c>ISseEventStreamReader.SessionId</c>.</summary>
    public PropertyInfo? EventStreamReaderSessionId { get; init; }

    /// <summary>Gets <c>ISseEventStreamReader.ReadEventsAsync(CancellationToken)</c>.</summary>
    public MethodInfo? EventStreamReaderReadEvents { get; init; }

    /// <summary>Gets the protocol revisions the SDK supports, oldest first, or <see langword="null"/> when its list was not found.</summary>
    public IReadOnlyList<string>? ProtocolVersions { get; init; }

    /// <summary>Gets the revisions of <see cref="ProtocolVersions"/> without sessions (every request carries its metadata).</summary>
    public IReadOnlyList<string> SessionlessProtocolVersions { get; init; } = [];

    /// <summary>Gets the transport's settable <c>Stateless</c>, where the SDK serves revisions without sessions.</summary>
    public PropertyInfo? TransportStateless { get; init; }

    /// <summary>
    /// Gets <c>HandlePostRequestAsync(JsonRpcMessage, Stream, Func&lt;JsonRpcMessage?, ValueTask&gt;?, CancellationToken)</c>,
    /// where the SDK serves revisions without sessions.
    /// </summary>
    public MethodInfo? HandlePostWithResponseStarting { get; init; }

    /// <summary>
    /// Gets the SDK host's <c>ISessionMigrationHandler</c> interface (ModelContextProtocol.AspNetCore 1.0.0 and later), whose
    /// two methods the probe found with the signatures McpCompat implements.
    /// </summary>
    public Type? SessionMigrationHandlerType { get; init; }

    /// <summary>Gets <c>OnSessionInitializedAsync(HttpContext, string, InitializeRequestParams, CancellationToken)</c> on <see cref="SessionMigrationHandlerType"/>.</summary>
    public MethodInfo? SessionMigrationInitialized { get; init; }

    /// <summary>Gets <c>AllowSessionMigrationAsync(HttpContext, string, CancellationToken)</c> on <see cref="SessionMigrationHandlerType"/>.</summary>
    public MethodInfo? SessionMigrationAllow { get; init; }

    /// <summary>Gets <c>HttpServerTransportOptions.SessionMigrationHandler</c>, settable, of <see cref="SessionMigrationHandlerType"/>.</summary>
    public PropertyInfo? SessionMigrationHandler { get; init; }

    /// <summary>
    /// Gets the SDK host's table of live sessions (<c>StatefulSessionManager</c>, a service of the host in every build with
    /// the migration hook), through which McpCompat tells whether the host holds a session a DELETE names.
    /// </summary>
    public Type? SessionTableType { get; init; }

    /// <summary>Gets <c>TryGetValue(string, out StreamableHttpSession)</c> on <see cref="SessionTableType"/>.</summary>
    public MethodInfo? SessionTableTryGetValue { get; init; }

    /// <summary>Gets where <see cref="SessionTableTryGetValue"/> was found, or why it was not.</summary>
    public string SessionTableEvidence { get; init; } = string.Empty;

    /// <summary>Gets where <see cref="ProtocolVersions"/> was read, or why it was not found.</summary>
    public string ProtocolVersionsEvidence { get; init; } = string.Empty;

    /// <summary>Gets why each hosting member above that is <see langword="null"/> was not found, by member.</summary>
    public IReadOnlyDictionary<string, string> HostingEvidence { get; init; } = new Dictionary<string, string>();
}
