using System.Security.Claims;
using McpCompat.Http;
using McpCompat.Probing;
using Microsoft.Extensions.Logging;

namespace McpCompat.MapMcpCompat;

/// <summary>One API shape of the SDK's Streamable HTTP transport, bound to delegates compiled once at startup.</summary>
internal interface ITransportAdapter
{
    TransportApiShape Shape { get; }

    /// <summary>Creates a transport for a new session, with the event stream store where the shape takes one.</summary>
    object CreateTransport(ILoggerFactory loggerFactory, string sessionId, object? eventStreamStore);

    /// <summary>
    /// Hands one POSTed JSON-RPC message to the transport, which writes its answer (SSE) to <paramref name="responseBody"/>;
    /// <see langword="true"/> when it wrote one. Once the task ends, the transport writes nothing more there.
    /// </summary>
    Task<bool> HandlePostAsync(object transport, PostedMessage message, ClaimsPrincipal user, string? protocolVersion, Stream responseBody, CancellationToken cancellationToken);

    /// <summary>Serves the session's GET (SSE) stream until it ends.</summary>
    Task HandleGetAsync(object transport, Stream responseBody, CancellationToken cancellationToken);
}
