using McpCompat.Decision;
using McpCompat.Resumption;
using McpCompat.Sessions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace McpCompat.Health;

/// <summary>
/// Reports McpCompat's state: degraded when <c>MapMcpCompat</c> hosts sessions and they reach <see cref="HealthFindings.NearFullRatio"/>
/// of <see cref="McpCompatOptions.MaxSessions"/> (the setting applies to those sessions only, and admission counts the
/// same ones), when the records of resumable sessions reach that share of <see cref="McpCompatOptions.MaxSessionRecords"/>
/// or the store of records failed or lost one within the last minute, or when McpCompat's sweeper is in charge but has
/// not run for longer than it ever should; healthy
/// otherwise. The data carries the probe summary, the path and the session counts.
/// </summary>
internal sealed class McpCompatHealthCheck(
    McpCompatRuntime runtime,
    SessionTracker tracker,
    IEnumerable<ISessionHost> hosts,
    SessionSweeper sweeper,
    SessionResumption resumption,
    IOptions<McpCompatOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        var decision = runtime.Decision;
        var tracking = runtime.SweeperNeeded;
        var findings = new HealthFindings();
        findings.Data["sdk"] = runtime.Report.SdkDescription;
        findings.Data["path"] = runtime.PathName;
        findings.Data["reason"] = decision.Reason;
        if (tracking)
        {
            findings.Data["liveSessions"] = tracker.Count;
            findings.Data["idleSessions"] = tracker.IdleCount;
        }

        if (runtime.IsHosting)
        {
            findings.Count("hostedSessions", hosts.Sum(h => h.Count ?? 0), "maxSessions", settings.MaxSessions, "sessions hosted by MapMcpCompat", "McpCompat:MaxSessions");
        }

        if (tracking)
        {
            findings.Sweeper(sweeper, settings.SweepInterval, "McpCompat's");
        }

        if (resumption.Records is { } records)
        {
            findings.Records(records);
        }

        return Task.FromResult(findings.Result(context, "McpCompat", $"{runtime.PathName} on {runtime.Report.SdkDescription}"));
    }
}
