namespace McpCompat.Probing;

/// <summary>
/// A capability of the installed MCP C# SDK that McpCompat looks for.
/// </summary>
internal enum McpSdkFeatureKind
{
    /// <summary><c>ModelContextProtocol.Server.StreamableHttpServerTransport</c> exists (ModelContextProtocol.Core).</summary>
    StreamableHttpTransport,

    /// <summary>The transport takes parsed messages: <c>HandlePostRequestAsync(JsonRpcMessage, Stream, CancellationToken)</c>.</summary>
    StreamableHttpMessageApi,

    /// <summary>The transport reads messages from a pipe: <c>HandlePostRequest(IDuplexPipe, CancellationToken)</c>.</summary>
    StreamableHttpPipeApi,

    /// <summary><c>ModelContextProtocol.AspNetCore.HttpServerTransportOptions</c> exists: the SDK hosts Streamable HTTP itself (<c>MapMcp</c>).</summary>
    AspNetCoreHosting,

    /// <summary><c>HttpServerTransportOptions.IdleTimeout</c>: a settable <see cref="TimeSpan"/>.</summary>
    NativeIdleTimeout,

    /// <summary><c>HttpServerTransportOptions.MaxIdleSessionCount</c>: a settable <see cref="int"/>.</summary>
    NativeMaxIdleSessionCount,

    /// <summary><c>HttpServerTransportOptions.TimeProvider</c>: a settable <see cref="System.TimeProvider"/>.</summary>
    NativeTimeProvider,

    /// <summary><c>HttpServerTransportOptions.SessionMode</c>: an enum with a <c>Stateless</c> value (stateless, stateful, or stateful for initialize clients).</summary>
    SessionMode,

    /// <summary><c>HttpServerTransportOptions.Stateless</c>: a settable <see cref="bool"/>; the SDK's host can run without sessions.</summary>
    StatelessOption,

    /// <summary>
    /// <c>StreamableHttpServerTransport.EventStreamStore</c> (an <c>ISseEventStreamStore</c>) and the store's reader by
    /// <c>Last-Event-ID</c>: streams carry event ids and a client can resume one (ModelContextProtocol.Core 1.0.0 and later).
    /// </summary>
    EventStreamStore,

    /// <summary>
    /// The SDK supports a protocol revision without sessions or an <c>initialize</c> handshake, each request carrying its
    /// own metadata (2026-07-28 and later); <c>MapMcpCompat</c> serves a request naming it statelessly.
    /// </summary>
    SessionlessRevision,

    /// <summary>
    /// The SDK's host takes an <c>ISessionMigrationHandler</c> (<c>HttpServerTransportOptions.SessionMigrationHandler</c>,
    /// ModelContextProtocol.AspNetCore 1.0.0 and later): a session it no longer holds can be rebuilt from what the handler
    /// gives back, which is how McpCompat resumes evicted sessions on the SDK's <c>MapMcp</c>.
    /// </summary>
    SessionMigration,
}
