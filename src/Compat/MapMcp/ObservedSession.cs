using System.Security.Claims;
using McpCompat.Sessions;
namespace McpCompat.MapMcp;

/// <summary>
/// A session of the SDK's own host, as the fallback path sees it: tracked like any other, plus what ending it the
/// protocol's way takes (a DELETE to the endpoint that created it, as the principal that created it).
/// </summary>
internal sealed class ObservedSession(string id, DeleteEndpointEvictor evictor, ClaimsPrincipal? creator, SessionOrigin origin, long createdTimestamp)
    : TrackedSession(id, evictor, createdTimestamp, inFlight: 1)
{
    /// <summary>Gets the principal whose request created the session; the session is ended as that principal.</summary>
    public ClaimsPrincipal? Creator { get; } = creator;

    /// <summary>Gets where the session was created, so that it can be ended the protocol's way.</summary>
    public SessionOrigin Origin { get; } = origin;

    /// <summary>Gets or sets the last <c>MCP-Protocol-Version</c> header the client sent.</summary>
    public string? ProtocolVersion { get; set; }
}
