#if MCP_ASPNETCORE
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Server;

namespace ConformanceServer;

/// <summary>The SDK's own Streamable HTTP host (<c>MapMcp</c>), stateful, with the fixture's event stream store unless left out.</summary>
internal static class SdkHost
{
    public const bool Available = true;

    public static void Configure(IMcpServerBuilder mcp, bool eventStreamStore)
    {
        // Sessions for initialize clients: the 2.x hosts default to stateless, where the server cannot call the client or
        // resume a stream. Where the host has StatefulForInitializeClients, requests of a revision without sessions
        // (2026-07-28) are served statelessly beside them, as MapMcpCompat serves them; elsewhere, plain stateful.
        mcp.WithHttpTransport(options =>
        {
            options.Stateless = false;
            if (typeof(HttpServerTransportOptions).GetProperty("SessionMode") is { } mode &&
                Enum.TryParse(mode.PropertyType, "StatefulForInitializeClients", out var both))
            {
                mode.SetValue(options, both);
            }
        });
        if (eventStreamStore)
        {
            mcp.Services.AddOptions<HttpServerTransportOptions>()
                .Configure<ISseEventStreamStore>((options, store) => options.EventStreamStore ??= store);
        }
    }

    public static void Map(WebApplication app, string pattern) => app.MapMcp(pattern);
}
#else
namespace ConformanceServer;

/// <summary>Built without ModelContextProtocol.AspNetCore: the SDK's own host is not available.</summary>
internal static class SdkHost
{
    public const bool Available = false;

    public static void Configure(IMcpServerBuilder mcp, bool eventStreamStore) => throw new NotSupportedException();

    public static void Map(WebApplication app, string pattern) => throw new NotSupportedException();
}
#endif
