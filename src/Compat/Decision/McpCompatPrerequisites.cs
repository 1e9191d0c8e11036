using McpCompat.Probing;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;

namespace McpCompat.Decision;

/// <summary>
/// What McpCompat's settings need from the SDK and from the application's services, stated once: the decision reads
/// the SDK's side to choose its path, <see cref="McpCompatPrerequisitesValidator"/> reads both to fail the host's start
/// when a setting asks for what is not there.
/// </summary>
internal static class McpCompatPrerequisites
{
    /// <summary>
    /// The SDK features the native path needs and the SDK lacks, in the order they matter: its idle timeout, then its
    /// idle-session limit when <see cref="McpCompatOptions.MaxIdleSessions"/> is set. Empty when the native path can run.
    /// </summary>
    public static IEnumerable<McpSdkFeature> MissingForNative(McpSdkReport report, McpCompatOptions options)
    {
        var idle = report.GetFeature(McpSdkFeatureKind.NativeIdleTimeout);
        if (!idle.IsPresent)
        {
            yield return idle;
        }

        var maxIdle = report.GetFeature(McpSdkFeatureKind.NativeMaxIdleSessionCount);
        if (options.MaxIdleSessions is not null && !maxIdle.IsPresent)
        {
            yield return maxIdle;
        }
    }

    /// <summary>
    /// Gets a value indicating whether resumable sessions are asked for (<see cref="McpCompatOptions.SessionResumeWindow"/>
    /// is positive) and the application registers no <see cref="IDistributedCache"/> to keep their records in.
    /// </summary>
    public static bool LacksRecordStore(McpCompatOptions options, IServiceProviderIsService services) =>
        options.SessionResumeWindow > TimeSpan.Zero && !services.IsService(typeof(IDistributedCache));
}
