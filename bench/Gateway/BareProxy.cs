using Yarp.ReverseProxy.Forwarder;

namespace McpCompat.GatewayLoad;

/// <summary>A bare YARP route: every request to /mcp forwarded to the upstream as it is, with YARP's defaults. The floor.</summary>
internal static class BareProxy
{
    public static async Task<int> RunAsync(string[] args)
    {
        var arguments = Arguments.Parse(args);
        var upstream = arguments.Get("upstream");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(arguments.Get("urls", "http://127.0.0.1:0"));
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole();
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddHttpForwarder();
        var app = builder.Build();
        // Streams stay open as long as they last (YARP's 100 s activity timeout would cut a quiet GET stream).
        app.MapForwarder("/mcp", upstream, new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromDays(1) });
        await app.RunAsync();
        return 0;
    }
}
