using McpCompat.Probing;
using Microsoft.Extensions.Options;

namespace McpCompat.Native;

/// <summary>
/// Writes McpCompat's settings into the SDK's <c>HttpServerTransportOptions</c>: the user's values on the native
/// path (only those the user set), the SDK's own idle handling switched off on the fallback path.
/// </summary>
internal sealed class NativeOptionsApplier(
    McpCompatRuntime runtime,
    HttpTransportOptionsAccessor accessor,
    IOptions<McpCompatOptions> compatOptions,
    TimeProvider timeProvider)
{
    public void Apply(object sdkOptions)
    {
        var options = compatOptions.Value;
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
}
