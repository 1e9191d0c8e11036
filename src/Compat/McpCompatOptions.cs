using McpCompat.Options;

namespace McpCompat;

/// <summary>
/// Options for McpCompat's idle-session handling.
/// </summary>
/// <remarks>
/// Bound from the configuration section <c>McpCompat</c> and from the environment alias
/// <c>MCP_SESSION_IDLE_TIMEOUT</c> (seconds). Precedence: code, then the section, then the alias.
/// A setting left unset is never forwarded to the SDK: the SDK keeps its own default.
/// </remarks>
public sealed class McpCompatOptions
{
    /// <summary>The configuration section McpCompat binds by default.</summary>
    public const string SectionName = "McpCompat";

    /// <summary>The environment variable read as an alias of <see cref="SessionIdleTimeout"/>, in seconds.</summary>
    public const string IdleTimeoutEnvironmentVariable = "MCP_SESSION_IDLE_TIMEOUT";

    /// <summary>
    /// Gets or sets how long a session may stay idle (no request in flight) before it is ended.
    /// <see cref="Timeout.InfiniteTimeSpan"/> disables the timeout.
    /// </summary>
    /// <value>
    /// The default value is <see langword="null"/>: the SDK's own default applies on the native path
    /// (2 hours in every SDK version that has one), and 2 hours on McpCompat's own path.
    /// </value>
    [TimerDuration(allowInfinite: true)]
    public TimeSpan? SessionIdleTimeout { get; set; }

    /// <summary>
    /// Gets or sets the most idle sessions kept; past it the longest-idle sessions are ended first.
    /// Sessions with a request in flight never count and are never ended.
    /// </summary>
    /// <value>
    /// The default value is <see langword="null"/>: the SDK's own default applies on the native path,
    /// and 10,000 on McpCompat's own path.
    /// </value>
    [Count]
    public int? MaxIdleSessions { get; set; }

    /// <summary>
    /// Gets or sets the most sessions, active or idle, that <c>MapMcpCompat</c> hosts at once. A new session past it
    /// ends the longest-idle session; when every session is active it is refused with HTTP 503 and <c>Retry-After</c>.
    /// </summary>
    /// <value>The default value is 10,000.</value>
    [Count]
    public int MaxSessions { get; set; } = McpCompatDefaults.MaxSessions;

    /// <summary>
    /// Gets or sets how long an open GET (SSE) stream may stay quiet before McpCompat writes an SSE comment on it, so a
    /// client that vanished without closing its connection is detected and its session can expire: on
    /// <c>MapMcpCompat</c> and on the SDK's own <c>MapMcp</c> alike, only between events, never on a POST's answer.
    /// <see cref="Timeout.InfiniteTimeSpan"/> disables keep-alives.
    /// </summary>
    /// <value>The default value is 15 seconds.</value>
    [TimerDuration(allowInfinite: true)]
    public TimeSpan KeepAliveInterval { get; set; } = McpCompatDefaults.KeepAliveInterval;

    /// <summary>
    /// Gets or sets how long a GET (SSE) stream may stay open before the server ends it, cleanly and between events, for
    /// proxies that cut long responses: the client resumes it with <c>Last-Event-ID</c> and misses nothing. Only a
    /// stream that carries event ids is ended (one served with an event stream store, on a revision with resumable
    /// streams), since only such a stream can be resumed; on <c>MapMcpCompat</c> and on the SDK's own <c>MapMcp</c>
    /// alike. <see cref="Timeout.InfiniteTimeSpan"/> leaves streams open.
    /// </summary>
    /// <value>The default value is <see cref="Timeout.InfiniteTimeSpan"/> (off).</value>
    [TimerDuration(allowInfinite: true)]
    public TimeSpan MaxStreamAge { get; set; } = Timeout.InfiniteTimeSpan;

    /// <summary>
    /// Gets or sets how long an evicted session can come back. Eviction then reclaims a session's memory, not the session:
    /// a small record of it (the client's <c>initialize</c> parameters, its owner, its logging level) stays in the
    /// application's <see cref="Microsoft.Extensions.Caching.Distributed.IDistributedCache"/>, and a client that returns
    /// with its old <c>Mcp-Session-Id</c> within the window goes on under that id, without a new handshake, on any
    /// instance that shares the cache. The window slides: it starts again at each eviction and each resume. A client's
    /// DELETE deletes the record. <see cref="TimeSpan.Zero"/> turns this off; needs an <c>IDistributedCache</c> service
    /// (<c>AddDistributedMemoryCache()</c> for one instance, a shared cache such as Redis for a fleet).
    /// </summary>
    /// <value>The default value is <see cref="TimeSpan.Zero"/> (off): an evicted session is gone.</value>
    [Window]
    public TimeSpan SessionResumeWindow { get; set; }

    /// <summary>
    /// Gets or sets the most session records this instance keeps in the distributed cache, where sessions resume
    /// (<see cref="SessionResumeWindow"/>). Past it, the oldest record goes: first among sessions whose client never came
    /// back after its handshake, then among the rest. The session it belonged to is not ended, but once evicted it
    /// cannot resume. Each instance of a fleet counts the records it wrote.
    /// </summary>
    /// <value>The default value is 10,000.</value>
    [Count]
    public int MaxSessionRecords { get; set; } = McpCompatDefaults.MaxSessionRecords;

    /// <summary>
    /// Gets or sets the largest record, in bytes, a session may have in the distributed cache (the client's
    /// <c>capabilities</c> and <c>clientInfo</c> from its <c>initialize</c>, with its owner and logging level). A session
    /// whose record would be larger lives on, but is not resumable once evicted; this is logged and counted.
    /// </summary>
    /// <value>The default value is 4,096 bytes.</value>
    [RecordBytes]
    public int MaxSessionRecordBytes { get; set; } = McpCompatDefaults.MaxSessionRecordBytes;

    /// <summary>
    /// Gets or sets how long a request waits on the distributed cache that keeps session records: reading a record to
    /// resume a session, writing one at the handshake, deleting one. Past it, a resume or a DELETE is answered 503 with
    /// <c>Retry-After</c> (the client tries again), and a new session starts without a record (it is not resumable).
    /// Requests for one session id share one read and its outcome.
    /// </summary>
    /// <value>The default value is 2 seconds.</value>
    [TimerDuration(allowInfinite: false)]
    public TimeSpan SessionStoreTimeout { get; set; } = McpCompatDefaults.SessionStoreTimeout;

    /// <summary>Gets or sets who reclaims idle sessions.</summary>
    /// <value>The default value is <see cref="McpCompatMode.Auto"/>.</value>
    [Mode]
    public McpCompatMode Mode { get; set; } = McpCompatMode.Auto;

    /// <summary>
    /// Gets or sets how often McpCompat's sweeper looks for sessions past their idle deadline
    /// (McpCompat's own path only; the SDK's sweeper runs on its own schedule).
    /// </summary>
    /// <value>The default value is 1 second.</value>
    [TimerDuration(allowInfinite: false)]
    public TimeSpan SweepInterval { get; set; } = McpCompatDefaults.SweepInterval;

    /// <summary>
    /// Gets or sets a value indicating whether McpCompat checks requests in front of the SDK's own <c>MapMcp</c>
    /// endpoint the way <c>MapMcpCompat</c> does: <c>Host</c> and <c>Origin</c> (<see cref="AllowedHosts"/>,
    /// <see cref="AllowedOrigins"/>; 403 otherwise, against DNS rebinding), and on a Streamable HTTP POST <c>Accept</c>
    /// (406), <c>Content-Type</c> (415), a 4 MiB body limit (413) and a body that is one JSON object (400). The SDK's
    /// host answers any <c>Host</c> and <c>Origin</c>; switch this on unless a proxy in front already checks them.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Guard { get; set; }

    /// <summary>
    /// Gets the hosts (the <c>Host</c> header, without port) that <c>MapMcpCompat</c> (and, with <see cref="Guard"/>,
    /// the SDK's <c>MapMcp</c>) answers besides the loopback names (<c>localhost</c>, <c>127.0.0.1</c>, <c>[::1]</c>),
    /// as protection against DNS rebinding; <c>*</c> allows any.
    /// </summary>
    /// <value>The default value is empty: loopback only.</value>
    public IList<string> AllowedHosts { get; } = [];

    /// <summary>
    /// Gets the origins (<c>scheme://host[:port]</c> of the <c>Origin</c> header) that <c>MapMcpCompat</c> (and, with
    /// <see cref="Guard"/>, the SDK's <c>MapMcp</c>) accepts besides loopback ones; requests without an <c>Origin</c>
    /// header are not affected. <c>*</c> allows any.
    /// </summary>
    /// <value>The default value is empty: loopback origins only.</value>
    public IList<string> AllowedOrigins { get; } = [];

    // Settings from configuration that could not be parsed: reported by the validator with key and value.
    internal List<string> BindingErrors { get; } = [];
}
