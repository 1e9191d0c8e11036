using Microsoft.AspNetCore.Http;

namespace McpCompat.Gateway;

/// <summary>One upstream MCP server (one replica): its Streamable HTTP endpoint and how many of the gateway's sessions it holds.</summary>
internal sealed class GatewayUpstream
{
    private readonly object _learned = new();
    private int _sessions;
    private int _lastDeleteStatus;
    private int _forgotSessions;
    private string[] _revisions = [];
    private UpstreamFacts? _facts;
    private string? _problem;
    private long _downUntil;
    private int _credentialsAsked;

    /// <summary>How long an upstream that refused a connection is passed over for new sessions.</summary>
    public static readonly TimeSpan DownFor = TimeSpan.FromSeconds(5);

    public GatewayUpstream(Uri endpoint)
    {
        Endpoint = endpoint;
        Prefix = endpoint.GetLeftPart(UriPartial.Authority);
    }

    /// <summary>Gets the upstream's MCP endpoint, such as <c>http://127.0.0.1:3000/mcp</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>Gets the scheme, host and port of <see cref="Endpoint"/>: the forwarder's destination prefix.</summary>
    public string Prefix { get; }

    /// <summary>Gets how many of the gateway's sessions live on this upstream.</summary>
    public int Sessions => Volatile.Read(ref _sessions);

    /// <summary>Gets the address a request is forwarded to: the endpoint, with the request's query string.</summary>
    public Uri RequestUri(QueryString query) => query.HasValue ? new Uri(Endpoint + query.Value) : Endpoint;

    /// <summary>
    /// Gets what the upstream answered the gateway's last <c>DELETE</c> of a session (0 before the first): 2xx when it
    /// honours <c>DELETE</c>, 405 when it does not.
    /// </summary>
    public int LastDeleteStatus => Volatile.Read(ref _lastDeleteStatus);

    /// <summary>
    /// Gets a value indicating whether the upstream has answered 404 for a session the gateway held live: it ends idle
    /// sessions itself, or it restarted, or another replica got the request.
    /// </summary>
    public bool ForgotSessions => Volatile.Read(ref _forgotSessions) != 0;

    /// <summary>Gets what the gateway's own look at the upstream found (<see cref="GatewayUpstreamProbe"/>), or <see langword="null"/> before it succeeded.</summary>
    public UpstreamFacts? Facts => Volatile.Read(ref _facts);

    /// <summary>Gets why the last look at the upstream failed, or <see langword="null"/> when it did not.</summary>
    public string? Problem => Volatile.Read(ref _problem);

    /// <summary>Gets the protocol revisions the upstream's sessions negotiated, as its clients' requests name them (in the order first seen).</summary>
    public IReadOnlyList<string> Revisions => Volatile.Read(ref _revisions);

    public void NoteDeleteAnswer(int status) => Volatile.Write(ref _lastDeleteStatus, status);

    /// <summary>Notes that the upstream could not be reached, at <paramref name="now"/> (a timestamp of the gateway's clock of <paramref name="frequency"/> ticks a second).</summary>
    public void NoteUnreachable(long now, long frequency) => Volatile.Write(ref _downUntil, now + (long)(DownFor.TotalSeconds * frequency));

    /// <summary>Whether the upstream could not be reached within <see cref="DownFor"/> before <paramref name="now"/>.</summary>
    public bool IsDown(long now) => now < Volatile.Read(ref _downUntil);

    /// <summary>Notes a 404 for a session the gateway held live; <see langword="true"/> the first time.</summary>
    public bool NoteSessionForgotten() => Interlocked.Exchange(ref _forgotSessions, 1) == 0;

    /// <summary>Notes a revision a session of the upstream uses; <see langword="true"/> when it is new.</summary>
    public bool NoteRevision(string revision)
    {
        if (Array.IndexOf(Volatile.Read(ref _revisions), revision) >= 0)
        {
            return false;
        }

        lock (_learned)
        {
            if (Array.IndexOf(_revisions, revision) >= 0 || _revisions.Length >= 16)
            {
                return false;
            }

            Volatile.Write(ref _revisions, [.. _revisions, revision]);
            return true;
        }
    }

    /// <summary>Keeps what a look at the upstream found, and its revision among those seen.</summary>
    public void NoteFacts(UpstreamFacts facts)
    {
        Volatile.Write(ref _facts, facts);
        Volatile.Write(ref _problem, null);
        if (facts.Revision is { } revision)
        {
            NoteRevision(revision);
        }

        if (facts.DeleteStatus is { } status && LastDeleteStatus == 0)
        {
            NoteDeleteAnswer(status);
        }
    }

    /// <summary>Keeps why a look at the upstream failed.</summary>
    public void NoteProblem(string problem) => Volatile.Write(ref _problem, problem);

    /// <summary>
    /// Gets the status (401, 403) with which the upstream refused the gateway's look for want of credentials, which the
    /// look does not carry; <see langword="null"/> otherwise. Such an upstream is reachable: it is not looked at again.
    /// </summary>
    public int? CredentialsAsked => Volatile.Read(ref _credentialsAsked) is var status and not 0 ? status : null;

    /// <summary>Notes that the upstream refused the gateway's look with <paramref name="status"/>, asking for credentials.</summary>
    public void NoteCredentialsAsked(int status)
    {
        Volatile.Write(ref _credentialsAsked, status);
        Volatile.Write(ref _problem, null);
    }

    /// <summary>
    /// Gets whether the upstream honours <c>DELETE</c>: <see langword="true"/> when it answered one 2xx last,
    /// <see langword="false"/> when 405, <see langword="null"/> before either.
    /// </summary>
    public bool? HonoursDelete => LastDeleteStatus switch
    {
        >= 200 and < 300 => true,
        405 => false,
        _ => null,
    };

    public void SessionAdded() => Interlocked.Increment(ref _sessions);

    public void SessionRemoved() => Interlocked.Decrement(ref _sessions);

    public override string ToString() => Endpoint.ToString();
}

/// <summary>
/// What a look at an upstream found on the wire: its <c>serverInfo</c>, the revision it agreed to for the newest one the
/// gateway asked for, whether it starts sessions (an <c>Mcp-Session-Id</c> in its answer), and what it answered a
/// <c>DELETE</c> of that session (<see langword="null"/> when it has none).
/// </summary>
internal sealed record UpstreamFacts(string? ServerName, string? ServerVersion, string? Revision, bool Sessions, int? DeleteStatus)
{
    /// <summary>Gets <c>serverInfo</c> as one phrase: its name and version, or that it sent none.</summary>
    public string Server => ServerName is null ? "a server that sent no serverInfo" : ServerVersion is null ? ServerName : $"{ServerName} {ServerVersion}";
}
