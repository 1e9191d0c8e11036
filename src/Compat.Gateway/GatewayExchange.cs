using Yarp.ReverseProxy.Forwarder;

namespace McpCompat.Gateway;

/// <summary>One request relayed upstream: where it goes, for which session, and what came back.</summary>
internal sealed class GatewayExchange(GatewayBinding? binding, GatewayUpstream upstream, GatewaySession? session, bool isInitialize, bool canHeal)
{
    /// <summary>Gets where the session lived when the request left, or <see langword="null"/> outside a session.</summary>
    public GatewayBinding? Binding { get; } = binding;

    public GatewayUpstream Upstream { get; } = upstream;

    /// <summary>Gets the client's session the request belongs to, or <see langword="null"/> (a new session, or none).</summary>
    public GatewaySession? Session { get; } = session;

    /// <summary>Gets a value indicating whether the request is an <c>initialize</c> outside a session, admitted under MaxSessions.</summary>
    public bool IsInitialize { get; } = isInitialize;

    /// <summary>
    /// Gets a value indicating whether an upstream that lost the session (404, or gone) is answered by rebuilding it and
    /// sending the request again, instead of relaying the loss: nothing of the answer is then sent.
    /// </summary>
    public bool CanHeal { get; } = canHeal;

    /// <summary>Gets the handshake an <c>initialize</c> brings, kept by the session it starts so that it can be rebuilt.</summary>
    public GatewayHandshake? Handshake { get; init; }

    /// <summary>Gets or sets the session the upstream started in answer to this <c>initialize</c>.</summary>
    public GatewaySession? Started { get; set; }

    /// <summary>Gets or sets the upstream's status code, once it answered.</summary>
    public int? UpstreamStatus { get; set; }

    /// <summary>Gets or sets what went wrong relaying the request, <see cref="ForwarderError.None"/> when nothing did.</summary>
    public ForwarderError Error { get; set; }

    /// <summary>Gets or sets a value indicating whether the upstream answered 404 for the session, and that answer was held back to heal it.</summary>
    public bool LostSession { get; set; }

    /// <summary>
    /// Gets a value indicating whether the session is to be rebuilt: its upstream lost it, could not be reached, or went
    /// away before its answer began (the caller checks that nothing was sent to the client).
    /// </summary>
    public bool NeedsHealing => CanHeal && (LostSession || Error is ForwarderError.Request or ForwarderError.RequestBodyDestination or ForwarderError.ResponseBodyDestination);
}
