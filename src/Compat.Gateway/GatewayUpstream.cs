using Microsoft.AspNetCore.Http;

namespace McpCompat.Gateway;

/// <summary>One upstream MCP server (one replica): its Streamable HTTP endpoint and how many of the gateway's sessions it holds.</summary>
internal sealed class GatewayUpstream
{
    private int _sessions;
    private int _lastDeleteStatus;
    private int _forgotSessions;

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

    public void NoteDeleteAnswer(int status) => Volatile.Write(ref _lastDeleteStatus, status);

    public void NoteSessionForgotten() => Volatile.Write(ref _forgotSessions, 1);

    public void SessionAdded() => Interlocked.Increment(ref _sessions);

    public void SessionRemoved() => Interlocked.Decrement(ref _sessions);

    public override string ToString() => Endpoint.ToString();
}
