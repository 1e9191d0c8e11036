using System.Diagnostics.CodeAnalysis;
using System.Security.Claims;
using McpCompat.Http;
using McpCompat.Probing;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Server;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// What <c>MapMcpCompat</c> needs of the SDK: the transport of its API shape (one <see cref="ITransportAdapter"/>) and
/// the server over it (<see cref="SdkServerFactory"/>), compiled once at startup from the members the probe found.
/// <see cref="Check"/> says whether that is possible and why not, without compiling anything: <c>MapMcpCompat</c>
/// and the <c>mcpcompat probe</c> tool ask it alike.
/// </summary>
[RequiresUnreferencedCode(TrimmingMessages.FindsSdkMembers)]
[RequiresDynamicCode(TrimmingMessages.BuildsCodeForSdkTypes)]
internal sealed class CoreTransportApi(ITransportAdapter transport, SdkServerFactory server, EventStreamApi? eventStreams)
{
    /// <summary>Gets the transport API shape in use.</summary>
    public TransportApiShape Shape => transport.Shape;

    /// <summary>Gets the SDK's event stream store API, or <see langword="null"/> when its transports take no store.</summary>
    public EventStreamApi? EventStreams => eventStreams;

    public object CreateTransport(ILoggerFactory loggerFactory, string sessionId, object? eventStreamStore) =>
        transport.CreateTransport(loggerFactory, sessionId, eventStreamStore);

    /// <inheritdoc cref="ITransportAdapter.HandlePostAsync"/>
    public Task<bool> HandlePostAsync(object target, PostedMessage message, ClaimsPrincipal user, string? protocolVersion, Stream responseBody, CancellationToken cancellationToken) =>
        transport.HandlePostAsync(target, message, user, protocolVersion, responseBody, cancellationToken);

    /// <summary>Gets the message API shape's adapter where it serves requests without sessions, or <see langword="null"/>.</summary>
    public MessageTransportAdapter? Stateless => transport is MessageTransportAdapter { ServesStateless: true } message ? message : null;

    public Task HandleGetAsync(object target, Stream responseBody, CancellationToken cancellationToken) =>
        transport.HandleGetAsync(target, responseBody, cancellationToken);

    public object CreateServer(object target, McpServerOptions options, ILoggerFactory loggerFactory, IServiceProvider services) =>
        server.Create(target, options, loggerFactory, services);

    public Task RunServerAsync(object instance, CancellationToken cancellationToken) => server.RunAsync(instance, cancellationToken);

    /// <summary>
    /// Whether <c>MapMcpCompat</c> can host Streamable HTTP on the SDK the report describes: the API shape it would use,
    /// or <see langword="null"/> and the first missing member, named, with the probe's evidence.
    /// </summary>
    public static (TransportApiShape? Shape, string Reason) Check(McpSdkReport report)
    {
        var m = report.Members;
        var sdk = report.GetAssembly(SdkProbe.CoreAssembly)?.ToString() ?? $"{SdkProbe.CoreAssembly} (not loaded)";
        var type = m.StreamableHttpServerTransportType?.Name ?? "StreamableHttpServerTransport";
        string Why(string key, string fallback) => m.HostingEvidence.TryGetValue(key, out var why) ? why : fallback;
        (TransportApiShape?, string) Missing(string member, string evidence) =>
            (null, $"MapMcpCompat cannot host Streamable HTTP on {sdk}: {member} is missing ({evidence}).");

        if (m.StreamableHttpServerTransportType is null)
        {
            return Missing(SdkProbe.TransportTypeName, report.GetFeature(McpSdkFeatureKind.StreamableHttpTransport).Evidence);
        }

        if (m.ServerCreate is null)
        {
            return Missing("McpServer.Create(ITransport, McpServerOptions, ILoggerFactory, IServiceProvider) or McpServerFactory.Create(…)", Why("ServerCreate", "not found"));
        }

        if (m.ServerRun is null)
        {
            return Missing($"{m.ServerCreate.ReturnType.Name}.RunAsync(CancellationToken)", Why("ServerRun", "method not found"));
        }

        if (m.HandlePostMessage is not null)
        {
            return m.TransportLoggerFactoryConstructor is null ? Missing($"{type}(ILoggerFactory)", Why("LoggerFactoryConstructor", "constructor not found"))
                : m.HandleGetMessage is null ? Missing($"{type}.HandleGetRequestAsync(Stream, CancellationToken)", Why("HandleGetRequestAsync", "method not found"))
                : (TransportApiShape.Message, "the message API shape: HandlePostRequestAsync(JsonRpcMessage, Stream, CancellationToken)");
        }

        if (m.HandlePostPipe is not null)
        {
            return m.TransportDefaultConstructor is null ? Missing($"{type}()", Why("DefaultConstructor", "constructor not found"))
                : m.HandleGetPipe is null ? Missing($"{type}.HandleGetRequest(Stream, CancellationToken)", Why("HandleGetRequest", "method not found"))
                : (TransportApiShape.Pipe, "the pipe API shape: HandlePostRequest(IDuplexPipe, CancellationToken)");
        }

        return Missing(
            $"{type}.HandlePostRequestAsync(JsonRpcMessage, Stream, CancellationToken) or HandlePostRequest(IDuplexPipe, CancellationToken)",
            report.GetFeature(McpSdkFeatureKind.StreamableHttpMessageApi).Evidence);
    }

    /// <summary>Compiles the adapters for the SDK the report describes, or throws with <see cref="Check"/>'s reason.</summary>
    /// <exception cref="InvalidOperationException">A member the endpoint needs is missing; the message names it.</exception>
    public static CoreTransportApi Create(McpSdkReport report)
    {
        var (shape, reason) = Check(report);
        var m = report.Members;
        ITransportAdapter transport = shape switch
        {
            TransportApiShape.Message => new MessageTransportAdapter(m),
            TransportApiShape.Pipe => new PipeTransportAdapter(m.TransportDefaultConstructor!, m.HandlePostPipe!, m.HandleGetPipe!),
            _ => throw new InvalidOperationException(reason),
        };

        var eventStreams = shape == TransportApiShape.Message ? EventStreamApi.Create(report) : null;
        return new CoreTransportApi(transport, new SdkServerFactory(m.ServerCreate!, m.ServerRun!), eventStreams);
    }
}
