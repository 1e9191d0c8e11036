using System.Security.Claims;
using McpCompat.Sessions;

namespace McpCompat.MapMcp;

/// <summary>
/// Ends a session on the SDK's own <c>MapMcp</c> the protocol's way, for a session another instance of the fleet saw its
/// client delete: an in-process DELETE of it, as its owner (the SDK ends a session only for its owner), to each of the
/// SDK's Streamable HTTP DELETE endpoints. The SDK answers such a DELETE for a session it does not hold with 200 and
/// does nothing.
/// </summary>
internal sealed class SdkSessionEnder(SdkDeleteEndpoint deleteEndpoint, PendingMigrations pending) : ISessionHost
{
    /// <summary>Asks the SDK to end the session; <see langword="false"/> when the application maps no SDK endpoint.</summary>
    /// <inheritdoc/>
    public int? Count => null;

    public async Task<bool> EndAsync(string sessionId, UserKey? owner)
    {
        var endpoints = deleteEndpoint.Endpoints;
        if (endpoints.Count == 0)
        {
            return false;
        }

        // A rebuild of the session under way here (it read the record before the tombstone was written) registers it
        // first, so the DELETE below finds it.
        await pending.WaitAsync(sessionId, ISessionHost.EndWait).ConfigureAwait(false);

        var user = owner is null
            ? null
            : new ClaimsPrincipal(new ClaimsIdentity([new Claim(owner.Type, owner.Value, ClaimValueTypes.String, owner.Issuer)], authenticationType: "McpCompat"));
        var ended = false;
        foreach (var endpoint in endpoints)
        {
            var status = await deleteEndpoint.SendAsync(endpoint, sessionId, user, protocolVersion: null, origin: null, CancellationToken.None).ConfigureAwait(false);
            ended |= status is >= 200 and < 300;
        }

        return ended;
    }
}
