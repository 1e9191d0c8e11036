using McpCompat.Decision;
using McpCompat.Resumption;
using McpCompat.Sessions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace McpCompat.Health;

/// <summary>
/// Reports McpCompat's state: degraded when <c>MapMcpCompat</c> hosts sessions and they reach <see cref="NearFullRatio"/>
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
    /// <summary>The share of <see cref="McpCompatOptions.MaxSessions"/> at which the check reports degraded: 90%.</summary>
    public const double NearFullRatio = 0.9;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        var decision = runtime.Decision;
        var tracking = runtime.SweeperNeeded;
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["sdk"] = runtime.Report.SdkDescription,
            ["path"] = runtime.PathName,
            ["reason"] = decision.Reason,
        };

        var problems = new List<string>();
        if (tracking)
        {
            data["liveSessions"] = tracker.Count;
            data["idleSessions"] = tracker.IdleCount;
        }

        if (runtime.IsHosting)
        {
            var count = hosts.Sum(h => h.Count ?? 0);
            data["hostedSessions"] = count;
            data["maxSessions"] = settings.MaxSessions;
            if (count >= settings.MaxSessions * NearFullRatio)
            {
                problems.Add($"{count} sessions hosted by MapMcpCompat, {NearFullRatio:P0} or more of McpCompat:MaxSessions = {settings.MaxSessions}");
            }
        }

        if (tracking)
        {
            // The loop sleeps at most one sweep interval and a sweep waits at most EvictionWait for its evictions.
            var allowed = (settings.SweepInterval * 2) + SessionSweeper.EvictionWait;
            if (sweeper.SinceHeartbeat is not { } since)
            {
                problems.Add("McpCompat's sweeper has not started");
            }
            else
            {
                data["secondsSinceSweep"] = Math.Round(since.TotalSeconds, 3);
                if (since > allowed)
                {
                    problems.Add($"McpCompat's sweeper last ran {since.TotalSeconds:0.#} s ago (expected within {allowed.TotalSeconds:0.#} s)");
                }
            }
        }

        if (resumption.Records is { } records)
        {
            var count = records.Index.Count;
            data["sessionRecords"] = count;
            data["maxSessionRecords"] = records.Index.Limit;
            if (count >= records.Index.Limit * NearFullRatio)
            {
                problems.Add($"{count} session records kept, {NearFullRatio:P0} or more of McpCompat:MaxSessionRecords = {records.Index.Limit}");
            }

            if (records.Monitor.Problem is { } storeProblem)
            {
                problems.Add($"the session store: {storeProblem}");
            }
        }

        var result = problems.Count == 0
            ? HealthCheckResult.Healthy($"McpCompat: {data["path"]} on {runtime.Report.SdkDescription}", data)
            : new HealthCheckResult(context.Registration.FailureStatus, $"McpCompat: {string.Join("; ", problems)}", data: data);
        return Task.FromResult(result);
    }
}
