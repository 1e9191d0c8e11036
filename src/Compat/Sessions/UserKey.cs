using System.Security.Claims;

namespace McpCompat.Sessions;

/// <summary>
/// Who a session belongs to: the authenticated user's id claim (name identifier, <c>sub</c> or UPN) and its issuer,
/// or nobody for anonymous requests. A session is used only by the user that created it.
/// </summary>
internal sealed record UserKey(string Type, string Value, string Issuer)
{
    public static UserKey? From(ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        var claim = user.FindFirst(ClaimTypes.NameIdentifier) ?? user.FindFirst("sub") ?? user.FindFirst(ClaimTypes.Upn);
        return claim is null ? null : new UserKey(claim.Type, claim.Value, claim.Issuer);
    }
}
