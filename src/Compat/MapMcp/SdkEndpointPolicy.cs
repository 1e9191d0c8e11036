using System.Collections.Concurrent;
using McpCompat.Http;
using McpCompat.Streams;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.AspNetCore.Routing;

namespace McpCompat.MapMcp;

/// <summary>
/// Puts McpCompat in front of the SDK's <c>MapMcp</c> endpoints: keep-alives on its GET streams and POST answers
/// (<see cref="EventStreamKeeper"/>, unless <see cref="McpCompatOptions.KeepAliveInterval"/> is infinite) and, when
/// <see cref="McpCompatOptions.Guard"/> is on, <see cref="SdkEndpointGuard"/>'s checks. A routing policy that, once
/// routing has matched one of them, swaps it for a copy with McpCompat in front (same route, order, metadata and name;
/// made once per endpoint). Where sessions resume, its Streamable HTTP requests go through <see cref="SdkSessionMigration"/>. It acts where the matched endpoint is known (a middleware in front of routing would have
/// to match routes itself) and whichever path McpCompat takes, native or fallback; McpCompat's own in-process
/// <c>DELETE</c> calls the SDK's endpoint directly.
/// </summary>
internal sealed class SdkEndpointPolicy : MatcherPolicy, IEndpointSelectorPolicy
{
    private readonly bool _guard;
    private readonly SdkEndpointGuard _guardChecks;
    private readonly EventStreamKeeper _keeper;
    private readonly ConcurrentDictionary<Endpoint, RouteEndpoint?> _wrapped = new();
    private readonly Func<Endpoint, RouteEndpoint?> _wrap;

    private readonly SdkSessionMigration _migration;
    private readonly SdkSessionDeletion _deletion;
    private readonly EndedSessionCalls _endedCalls;
    private readonly SdkEndpoints _endpoints;

    public SdkEndpointPolicy(SdkEndpoints endpoints, SdkEndpointGuard guard, EventStreamKeeper keeper, SdkSessionMigration migration, SdkSessionDeletion deletion, EndedSessionCalls endedCalls)
    {
        _endpoints = endpoints;
        _migration = migration;
        _deletion = deletion;
        _endedCalls = endedCalls;
        _guard = guard.Enabled;
        _guardChecks = guard;
        _keeper = keeper;
        _wrap = Wrap;
    }

    /// <summary>Gets the policy's order: after the built-in policies (HTTP method and the like) have narrowed the candidates.</summary>
    public override int Order => 1000;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) =>
        (_guard || _keeper.Enabled || _migration.Enabled) && endpoints.Any(_endpoints.IsSdkEndpoint);

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        for (var i = 0; i < candidates.Count; i++)
        {
            if (candidates.IsValidCandidate(i) && _wrapped.GetOrAdd(candidates[i].Endpoint, _wrap) is { } wrapped)
            {
                candidates.ReplaceEndpoint(i, wrapped, candidates[i].Values);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>The endpoint with McpCompat in front, or <see langword="null"/> when it is not the SDK's or nothing applies to it.</summary>
    private RouteEndpoint? Wrap(Endpoint endpoint)
    {
        if (endpoint is not RouteEndpoint { RequestDelegate: { } sdk } route || !_endpoints.IsSdkEndpoint(endpoint))
        {
            return null;
        }

        // Inside out: the migration hook's answers, a call whose session ended under it answered as the SDK answers an
        // ended session, then keep-alives around whatever is written (a diverted answer is written while the keep-alive
        // stream is still the response's), then the guard.
        var handler = sdk;
        if (_migration.Enabled && _endpoints.IsStreamableHttp(endpoint))
        {
            if (SdkEndpoints.Serves(endpoint, HttpMethods.Delete))
            {
                handler = context => _deletion.DeleteAsync(context, sdk);
            }
            else if (SdkEndpoints.Serves(endpoint, HttpMethods.Post) || SdkEndpoints.Serves(endpoint, HttpMethods.Get))
            {
                handler = context => _migration.ServeAsync(context, sdk);
            }
        }

        if (_endpoints.IsStreamableHttp(endpoint) && SdkEndpoints.Serves(endpoint, HttpMethods.Post))
        {
            var call = handler;
            handler = context => _endedCalls.ServeAsync(context, call);
        }

        var inner = handler;
        if (_keeper.Enabled && SdkEndpoints.Serves(endpoint, HttpMethods.Get))
        {
            handler = context => _keeper.ServeAsync(context, inner);
        }
        else if (_keeper.Enabled && SdkEndpoints.Serves(endpoint, HttpMethods.Post))
        {
            handler = context => _keeper.ServeAnswerAsync(context, inner);
        }

        if (_guard)
        {
            handler = _guardChecks.Guard(endpoint, handler);
        }

        return ReferenceEquals(handler, sdk) ? null : new RouteEndpoint(handler, route.RoutePattern, route.Order, route.Metadata, route.DisplayName);
    }
}
