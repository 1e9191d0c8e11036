using McpCompat.Probing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// Builds what the SDK needs for one hosted session: its transport (with the application's event stream store, where
/// the SDK's transport takes one) and its server, with the application's services, and runs the server.
/// </summary>
internal sealed class SessionServerBuilder(
    CoreTransportApi api,
    HostedEventStreams streams,
    IOptionsFactory<McpServerOptions> serverOptionsFactory,
    IOptions<McpServerOptions> serverOptions,
    ILoggerFactory loggerFactory,
    IServiceProvider services)
{
    /// <summary>Builds the transport and the server of session <paramref name="sessionId"/>.</summary>
    public (object Transport, object Server) Build(string sessionId)
    {
        var transport = api.CreateTransport(loggerFactory, sessionId, streams.Store);
        return (transport, api.CreateServer(transport, Options(), loggerFactory, services));
    }

    /// <summary>Runs a server <see cref="Build"/> built until <paramref name="cancellationToken"/> ends it.</summary>
    public Task RunAsync(object server, CancellationToken cancellationToken) => api.RunServerAsync(server, cancellationToken);

    // The server options every session shares, as the SDK's host shares them (1.0.0 and later: the message API shape);
    // the pipe shape's builds (0.2) get options of their own per session, as McpCompat always gave them.
    private McpServerOptions Options() => api.Shape == TransportApiShape.Message
        ? serverOptions.Value
        : serverOptionsFactory.Create(Microsoft.Extensions.Options.Options.DefaultName);
}
