using McpCompat.Sessions;
using McpCompat.Telemetry;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace McpCompat.MapMcp;

/// <summary>
/// Ends a session the protocol's way: a DELETE of that session, delivered in-process to the SDK's own DELETE endpoint
/// (the one mapped beside the endpoint that created it), as the principal that created it. The SDK then removes the
/// session, disposes it, and answers later requests with its own 404; McpCompat then stops tracking it.
/// </summary>
internal sealed class DeleteEndpointEvictor(
    SessionTracker tracker,
    SdkDeleteEndpoint deleteEndpoint,
    ILogger<DeleteEndpointEvictor> logger) : ISessionEvictor
{
    public async Task<bool> EvictAsync(TrackedSession session, CancellationToken cancellationToken)
    {
        var observed = session as ObservedSession;
        var origin = observed?.Origin;
        var route = (origin?.Endpoint as RouteEndpoint)?.RoutePattern.RawText;
        var delete = deleteEndpoint.At(route);
        if (delete is null || origin is null || observed is null)
        {
            Log.NoDeleteEndpoint(logger, session.Id, route);
            return false;
        }

        var status = await deleteEndpoint.SendAsync(delete, session.Id, observed.Creator, observed.ProtocolVersion, origin, cancellationToken).ConfigureAwait(false);
        var ended = status is >= 200 and < 300;
        if (!ended)
        {
            Log.EvictionRefused(logger, session.Id, status);
            return false;
        }

        tracker.Remove(session);
        return true;
    }
}
