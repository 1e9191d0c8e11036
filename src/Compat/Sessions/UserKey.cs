using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features.Authentication;

namespace McpCompat.Sessions;

/// <summary>
/// Who a session belongs to: the authenticated user's id claim (name identifier, <c>sub</c> or UPN) and its issuer,
/// or nobody for anonymous requests. A session is used only by the user that created it.
/// </summary>
internal sealed record UserKey(string Type, string Value, string Issuer)
{
    /// <summary>
    /// Gets the key of the request's authenticated user, or <see langword="null"/>: read from the authentication feature,
    /// so that an anonymous request does not make <see cref="HttpContext.User"/> build an empty principal.
    /// </summary>
    public static UserKey? Of(HttpContext context) => From(context.Features.Get<IHttpAuthenticationFeature>()?.User);

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
