namespace McpCompat.Benchmarks;

/// <summary>
/// What one bench/Churn run measured: written by bench/Churn (<c>--json</c>), read by bench/Load's report. Managed
/// heap in bytes after forced compacting full collections.
/// </summary>
/// <param name="Mode">McpCompat's mode, or <c>Off</c> for no McpCompat (the SDK's own defaults).</param>
/// <param name="Sessions">Sessions opened and abandoned.</param>
/// <param name="IdleTimeoutSeconds">McpCompat's <c>SessionIdleTimeout</c> (not applied in <c>Off</c>).</param>
/// <param name="OpenSeconds">How long opening the sessions took.</param>
/// <param name="WaitSeconds">How long after the last open <see cref="AfterBytes"/> was read.</param>
/// <param name="BaselineBytes">After the warm-up, before the first session.</param>
/// <param name="OpenBytes">With every session open.</param>
/// <param name="AfterBytes">Once the idle timeout and the slower sweep interval have passed.</param>
/// <param name="StillAnswering">Session ids that still answered a ping with something other than 404.</param>
internal sealed record ChurnResult(
    string Mode,
    int Sessions,
    double IdleTimeoutSeconds,
    double OpenSeconds,
    double WaitSeconds,
    long BaselineBytes,
    long OpenBytes,
    long AfterBytes,
    int StillAnswering);
