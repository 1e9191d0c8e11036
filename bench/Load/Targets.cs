namespace Load;

/// <summary>The figures McpCompat aims for; the report says for each whether the measured spread meets it (<see cref="Verdict"/>).</summary>
internal static class Targets
{
    /// <summary>Loopback throughput with McpCompat, as a share of the same round's without it: at least this.</summary>
    public const double ThroughputRatio = 0.98;

    /// <summary>Loopback p99 added by McpCompat, against the same round's without it: at most this many µs.</summary>
    public const double AddedP99Microseconds = 50;

    /// <summary>MapMcpCompat's loopback <c>tools/call</c> throughput, as a share of the same round's on the SDK's <c>MapMcp</c>: at least this.</summary>
    public const double HostThroughputRatio = 1.0;

    /// <summary>MapMcpCompat's managed bytes allocated per <c>tools/call</c>, as a share of the same round's on the SDK's <c>MapMcp</c>: at most this.</summary>
    public const double HostBytesRatio = 1.0;

    /// <summary>McpCompat's eviction lateness, p99: at most this many ms.</summary>
    public const double LatenessP99Milliseconds = 1000;

    /// <summary>Managed heap after the churn soak, against its baseline: at most this many percent more.</summary>
    public const double SoakGrowthPercent = 5;

    /// <summary>McpCompat's sweep with nothing due: at most this many ns.</summary>
    public const double SweepNoneDueNanoseconds = 50_000;

    /// <summary>McpCompat's sweep ending 10,000 due sessions, disposal aside: at most this many ns.</summary>
    public const double SweepDueNanoseconds = 20_000_000;

    /// <summary>McpCompat's managed bytes per tracked session: at most this many.</summary>
    public const double BytesPerTrackedSession = 200;

    /// <summary>Managed bytes an evicted session that can still resume costs the process: at most this many.</summary>
    public const double BytesPerEvictedSession = 1024;

    /// <summary>Managed heap after the churn with returning clients, against its baseline: at most this many percent more.</summary>
    public const double ResumeChurnGrowthPercent = 5;
}
