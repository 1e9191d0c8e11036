using McpCompat.Resumption;
using McpCompat.Sessions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace McpCompat.Health;

/// <summary>
/// The rules every host's health check applies the same way (McpCompat's own and the gateway's): a count that nears its
/// cap, a sweeper that stalled, a store of records that failed or nears its cap. Each rule adds its data and, when it
/// finds something wrong, a problem; <see cref="Result"/> turns them into the check's answer.
/// </summary>
internal sealed class HealthFindings
{
    /// <summary>The share of a cap at which a count is reported: 90%.</summary>
    public const double NearFullRatio = 0.9;

    /// <summary>Gets the data the check reports, whatever its status.</summary>
    public Dictionary<string, object> Data { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets what is wrong, one sentence each; none: healthy.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>Reports <paramref name="count"/> <paramref name="what"/> against the cap <paramref name="setting"/> = <paramref name="limit"/>.</summary>
    public void Count(string key, int count, string limitKey, int limit, string what, string setting)
    {
        Data[key] = count;
        Data[limitKey] = limit;
        if (count >= limit * NearFullRatio)
        {
            Problems.Add($"{count} {what}, {NearFullRatio:P0} or more of {setting} = {limit}");
        }
    }

    /// <summary>
    /// Reports how long ago <paramref name="sweeper"/> last ran: a problem past twice <paramref name="sweepInterval"/> and
    /// <see cref="SessionSweeper.EvictionWait"/> (the loop sleeps at most one interval, a sweep waits at most that for its
    /// evictions), or when it has not started.
    /// </summary>
    public void Sweeper(SessionSweeper sweeper, TimeSpan sweepInterval, string whose)
    {
        var allowed = (sweepInterval * 2) + SessionSweeper.EvictionWait;
        if (sweeper.SinceHeartbeat is not { } since)
        {
            Problems.Add($"{whose} sweeper has not started");
            return;
        }

        Data["secondsSinceSweep"] = Math.Round(since.TotalSeconds, 3);
        if (since > allowed)
        {
            Problems.Add($"{whose} sweeper last ran {since.TotalSeconds:0.#} s ago (expected within {allowed.TotalSeconds:0.#} s)");
        }
    }

    /// <summary>Reports the records of resumable sessions kept against McpCompat:MaxSessionRecords, and the store's last failure or loss.</summary>
    public void Records(SessionRecordStore store)
    {
        Count("sessionRecords", store.Index.Count, "maxSessionRecords", store.Index.Limit, "session records kept", "McpCompat:MaxSessionRecords");
        if (store.Monitor.Problem is { } problem)
        {
            Problems.Add($"the session store: {problem}");
        }
    }

    /// <summary>Gets the check's answer: healthy with <paramref name="healthy"/>, else the registration's failure status with the problems after <paramref name="name"/>.</summary>
    public HealthCheckResult Result(HealthCheckContext context, string name, string healthy) =>
        Problems.Count == 0
            ? HealthCheckResult.Healthy($"{name}: {healthy}", Data)
            : new HealthCheckResult(context.Registration.FailureStatus, $"{name}: {string.Join("; ", Problems)}", data: Data);
}
