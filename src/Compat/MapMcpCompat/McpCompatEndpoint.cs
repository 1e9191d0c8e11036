using McpCompat.Http;
using McpCompat.Probing;
using McpCompat.Resumption;
using McpCompat.Streams;
using McpCompat.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// The Streamable HTTP endpoint <c>MapMcpCompat</c> maps: POST (initialize creates a session), GET (the server's
/// SSE stream), DELETE (ends the session); sessions are tracked and swept like every other McpCompat session.
/// Checks Host and Origin, then hands the request to the handler of its method.
/// </summary>
internal sealed class McpCompatEndpoint : IDisposable
{
    private readonly RequestValidator _validator;
    private readonly RefusalWriter _refusals;
    private readonly SessionAdmission _admission;
    private readonly PostRequestHandler _post;
    private readonly GetRequestHandler _get;
    private readonly DeleteRequestHandler _delete;
    private readonly ProtocolRevisions _revisions;

    public McpCompatEndpoint(
        CoreTransportApi api,
        ProtocolRevisions revisions,
        HostedSessionStore store,
        IOptions<McpCompatOptions> options,
        IOptionsFactory<McpServerOptions> serverOptionsFactory,
        IOptions<McpServerOptions> serverOptions,
        ILoggerFactory loggerFactory,
        IServiceProvider services,
        IHostApplicationLifetime lifetime,
        TimeProvider timeProvider,
        McpCompatMetrics metrics,
        KeepAliveScheduler keepAlives,
        SessionResumption resumption,
        SessionEndBroadcast fleet)
    {
        Api = api;
        var logger = loggerFactory.CreateLogger<McpCompatEndpoint>();
        _refusals = new RefusalWriter(logger);
        _validator = new RequestValidator(options, _refusals, revisions);
        _admission = new SessionAdmission(store, options, timeProvider, metrics, _refusals, logger);

        // The application's event stream store (the SDK's ISseEventStreamStore in DI), where the SDK's transport takes one.
        var eventStreamStore = api.EventStreams is { } streams ? services.GetService(streams.StoreType) : null;
        // The server options every session shares, as the SDK's host shares them (1.0.0 and later: the message API
        // shape); the pipe shape's builds (0.2) get options of their own per session, as McpCompat always gave them.
        Func<McpServerOptions> sessionOptions = api.Shape == TransportApiShape.Message
            ? () => serverOptions.Value
            : () => serverOptionsFactory.Create(Microsoft.Extensions.Options.Options.DefaultName);
        var sessions = new HostedSessionFactory(api, eventStreamStore, store, sessionOptions, loggerFactory, services, timeProvider, logger);

        // Sessions resume from records in the application's distributed cache, where the window is set.
        var records = resumption.Records;
        store.Records = records;
        var resumer = records is null ? null : new HostedSessionResumer(api, records, store, _admission, sessions, revisions, _refusals, metrics, timeProvider, logger);
        var lookup = new HostedSessionLookup(store, _refusals, resumer, timeProvider);
        var sessionless = api.Stateless is { } stateless ? new SessionlessPostHandler(api, stateless, _refusals, serverOptionsFactory, keepAlives, timeProvider, loggerFactory) : null;
        _post = new PostRequestHandler(api, _validator, new RequestBodyReader(_refusals, logger), _admission, sessions, lookup, _refusals, revisions, sessionless, keepAlives, timeProvider, records);
        _revisions = revisions;
        _get = new GetRequestHandler(api, eventStreamStore, _validator, lookup, _refusals, keepAlives, lifetime, timeProvider);
        _delete = new DeleteRequestHandler(_validator, lookup, store, _refusals, metrics, fleet, logger);
    }

    public CoreTransportApi Api { get; }

    public void Dispose() => _admission.Dispose();

    public Task InvokeAsync(HttpContext context)
    {
        if (_validator.RefuseForeignHostOrOrigin(context) is { } refused)
        {
            return refused;
        }

        var method = context.Request.Method;
        if (HttpMethods.IsPost(method))
        {
            return _post.HandleAsync(context);
        }

        // A revision without sessions has neither the GET stream nor DELETE: only POST, as the SDK's host answers.
        if ((HttpMethods.IsGet(method) || HttpMethods.IsDelete(method)) &&
            _revisions.IsSessionless(context.Request.Headers[McpHeaders.ProtocolVersion].ToString()))
        {
            context.Response.Headers.Allow = HttpMethods.Post;
            return _refusals.RefuseAsync(context, StatusCodes.Status405MethodNotAllowed,
                $"Method Not Allowed: The {method} endpoint is not supported by protocol version '{context.Request.Headers[McpHeaders.ProtocolVersion]}'; use POST.");
        }

        if (HttpMethods.IsGet(method))
        {
            return _get.HandleAsync(context);
        }

        if (HttpMethods.IsDelete(method))
        {
            return _delete.HandleAsync(context);
        }

        context.Response.Headers.Allow = "GET, POST, DELETE";
        return _refusals.RefuseAsync(context, StatusCodes.Status405MethodNotAllowed, $"Method Not Allowed: {method}");
    }
}
