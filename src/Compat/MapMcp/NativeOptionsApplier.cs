using System.Diagnostics.CodeAnalysis;
using McpCompat.Decision;
using McpCompat.Probing;
using McpCompat.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpCompat.MapMcp;

/// <summary>
/// Writes McpCompat's settings into the SDK's <c>HttpServerTransportOptions</c>: the user's values on the native
/// path (only those the user set), the SDK's own idle handling switched off on the fallback path.
/// </summary>
internal sealed class NativeOptionsApplier(
    McpCompatRuntime runtime,
    HttpTransportOptionsAccessor accessor,
    IOptions<McpCompatOptions> compatOptions,
    TimeProvider timeProvider,
    SdkSessionMigration migration,
    ILogger<NativeOptionsApplier> logger)
{
    public void Apply(object sdkOptions)
    {
        var options = compatOptions.Value;
        if (migration.Enabled)
        {
            ApplyMigration(sdkOptions);
        }

        switch (runtime.DecideOnce(sdkOptions).Path)
        {
            case McpCompatPath.Native:
                if (options.SessionIdleTimeout is { } idleTimeout && accessor.CanSetIdleTimeout)
                {
                    accessor.SetIdleTimeout(sdkOptions, idleTimeout);
                }

                if (options.MaxIdleSessions is { } maxIdle && accessor.CanSetMaxIdleSessionCount)
                {
                    accessor.SetMaxIdleSessionCount(sdkOptions, maxIdle);
                }

                // The application's clock, unless the SDK's options were given one of their own.
                if (accessor.CanSetTimeProvider &&
                    !ReferenceEquals(timeProvider, TimeProvider.System) &&
                    ReferenceEquals(accessor.GetTimeProvider(sdkOptions), TimeProvider.System))
                {
                    accessor.SetTimeProvider(sdkOptions, timeProvider);
                }

                break;

            case McpCompatPath.Fallback:
                // McpCompat's sweeper is in charge: the SDK must not end sessions on a schedule of its own.
                if (accessor.CanSetIdleTimeout)
                {
                    accessor.SetIdleTimeout(sdkOptions, Timeout.InfiniteTimeSpan);
                }

                if (accessor.CanSetMaxIdleSessionCount)
                {
                    accessor.SetMaxIdleSessionCount(sdkOptions, int.MaxValue);
                }

                break;
        }
    }

    /// <summary>
    /// Gives the SDK's host McpCompat's session migration handler, so that evicted sessions resume on its <c>MapMcp</c>,
    /// whichever path ends them; a handler the application set itself is left in place.
    /// </summary>
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "AddMcpCompat, which registers this type, requires dynamic code.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "The SDK's interface type is kept by the SDK's own use of it.")]
    private void ApplyMigration(object sdkOptions)
    {
        if (!accessor.CanSetMigrationHandler)
        {
            var feature = runtime.Report.GetFeature(McpSdkFeatureKind.SessionMigration);
            Log.SessionResumeUnavailable(logger, runtime.Report.SdkDescription, feature.Evidence);
            return;
        }

        if (accessor.GetMigrationHandler(sdkOptions) is { } own)
        {
            Log.SessionMigrationHandlerKept(logger, own.GetType().FullName ?? own.GetType().Name);
            return;
        }

        accessor.SetMigrationHandler(sdkOptions, migration.CreateHandler(accessor.MigrationHandlerType!, runtime.Report.Members));
    }
}
