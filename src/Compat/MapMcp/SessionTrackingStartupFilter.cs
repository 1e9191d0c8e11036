using McpCompat.Decision;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace McpCompat.MapMcp;

/// <summary>Puts <see cref="SessionTrackingMiddleware"/> first in the pipeline when McpCompat's own path is in charge.</summary>
internal sealed class SessionTrackingStartupFilter(McpCompatRuntime runtime) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        if (runtime.Decision.Path == McpCompatPath.Fallback)
        {
            app.UseMiddleware<SessionTrackingMiddleware>();
        }

        next(app);
    };
}
