using McpCompat.Health;
using McpCompat.Sessions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace McpCompat.Gateway;

/// <summary>
/// Reports the gateway's state: degraded when its sessions reach <see cref="HealthFindings.NearFullRatio"/> of
/// <see cref="McpCompatOptions.MaxSessions"/>, when its sweeper has not run for longer than it ever should, when the
/// store of records failed, lost one within the last minute or nears McpCompat:MaxSessionRecords, or when an upstream could not be reached at its last
/// look; healthy otherwise. The data has the session counts and, per upstream, what the gateway learned of it on the
/// wire (<see cref="GatewayReport.Describe(GatewayUpstream)"/>).
/// </summary>
internal sealed class GatewayHealthCheck(GatewayRoutes routes, GatewaySessions sessions, GatewayRecords records, SessionSweeper sweeper, IOptions<McpCompatOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        var count = sessions.Count;
        var findings = new HealthFindings();
        findings.Count("sessions", count, "maxSessions", settings.MaxSessions, "sessions", "McpCompat:MaxSessions");
        findings.Sweeper(sweeper, settings.SweepInterval, "the gateway's");
        if (records.Store is { } store)
        {
            findings.Records(store);
        }

        foreach (var upstream in routes.All.SelectMany(r => r.Upstreams))
        {
            findings.Data[$"upstream {upstream.Endpoint.AbsoluteUri}"] = GatewayReport.Describe(upstream);
            if (upstream.Facts is null && upstream.Problem is { } problem)
            {
                findings.Problems.Add($"{upstream.Endpoint.AbsoluteUri} could not be reached ({problem})");
            }
        }

        return Task.FromResult(findings.Result(context, "McpCompat Gateway", $"{count} sessions"));
    }
}
