using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.Options;

namespace McpCompat.Guard;

/// <summary>
/// Puts <see cref="SdkEndpointGuard"/> in front of the SDK's <c>MapMcp</c> endpoints when
/// <see cref="McpCompatOptions.Guard"/> is on: a routing policy that, once routing has matched one of them, swaps it
/// for the guarded endpoint. It acts where the matched endpoint is known (a middleware in front of routing would have
/// to match routes itself) and whichever path McpCompat takes, native or fallback; McpCompat's own in-process
/// <c>DELETE</c> calls the SDK's endpoint directly and is not checked.
/// </summary>
internal sealed class SdkEndpointGuardPolicy(IOptions<McpCompatOptions> options, SdkEndpointGuard guard) : MatcherPolicy, IEndpointSelectorPolicy
{
    /// <summary>Gets the policy's order: after the built-in policies (HTTP method and the like) have narrowed the candidates.</summary>
    public override int Order => 1000;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) =>
        options.Value.Guard && endpoints.Any(SdkEndpointGuard.IsSdkEndpoint);

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        for (var i = 0; i < candidates.Count; i++)
        {
            if (candidates.IsValidCandidate(i) && guard.Guarded(candidates[i].Endpoint) is { } guarded)
            {
                candidates.ReplaceEndpoint(i, guarded, candidates[i].Values);
            }
        }

        return Task.CompletedTask;
    }
}
