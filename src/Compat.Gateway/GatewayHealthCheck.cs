using McpCompat.Sessions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace McpCompat.Gateway;

/// <summary>
/// Reports the gateway's state: degraded when its sessions reach <see cref="NearFullRatio"/> of
/// <see cref="McpCompatOptions.MaxSessions"/>, when its sweeper has not run for longer than it ever should, when the
/// store of records failed or lost one within the last minute, or when an upstream could not be reached at its last
/// look; healthy otherwise. The data has the session counts and, per upstream, what the gateway learned of it on the
/// wire (<see cref="GatewayReport.Describe(GatewayUpstream)"/>).
/// </summary>
internal sealed class GatewayHealthCheck(GatewayRoutes routes, GatewaySessions sessions, GatewayRecords records, SessionSweeper sweeper, IOptions<McpCompatOptions> options) : IHealthCheck
{
    /// <summary>The share of <see cref="McpCompatOptions.MaxSessions"/> at which the check reports degraded: 90%.</summary>
    public const double NearFullRatio = 0.9;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        var count = sessions.Count;
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["sessions"] = count,
            ["maxSessions"] = settings.MaxSessions,
        };
        var problems = new List<string>();
        if (count >= settings.MaxSessions * NearFullRatio)
        {
            problems.Add($"{count} sessions, {NearFullRatio:P0} or more of McpCompat:MaxSessions = {settings.MaxSessions}");
        }

        var allowed = (settings.SweepInterval * 2) + SessionSweeper.EvictionWait;
        if (sweeper.SinceHeartbeat is not { } since)
        {
            problems.Add("the gateway's sweeper has not started");
        }
        else
        {
            data["secondsSinceSweep"] = Math.Round(since.TotalSeconds, 3);
            if (since > allowed)
            {
                problems.Add($"the gateway's sweeper last ran {since.TotalSeconds:0.#} s ago (expected within {allowed.TotalSeconds:0.#} s)");
            }
        }

        if (records.Store is { } store)
        {
            data["sessionRecords"] = store.Index.Count;
            if (store.Monitor.Problem is { } storeProblem)
            {
                problems.Add($"the session store: {storeProblem}");
            }
        }

        foreach (var upstream in routes.All.SelectMany(r => r.Upstreams))
        {
            data[$"upstream {upstream.Endpoint.AbsoluteUri}"] = GatewayReport.Describe(upstream);
            if (upstream.Facts is null && upstream.Problem is { } problem)
            {
                problems.Add($"{upstream.Endpoint.AbsoluteUri} could not be reached ({problem})");
            }
        }

        var result = problems.Count == 0
            ? HealthCheckResult.Healthy($"McpCompat Gateway: {count} sessions", data)
            : new HealthCheckResult(context.Registration.FailureStatus, $"McpCompat Gateway: {string.Join("; ", problems)}", data: data);
        return Task.FromResult(result);
    }
}
