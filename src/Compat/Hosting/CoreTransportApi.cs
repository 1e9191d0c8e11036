using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;
using System.Linq.Expressions;
using System.Reflection;
using System.Security.Claims;
using System.Text.Json;
using McpCompat.Probing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpCompat.Hosting;

/// <summary>
/// The SDK's Streamable HTTP transport and server creation, whatever their API shape: delegates compiled once, at
/// startup, from the members found by reflection. A missing member fails construction with a message naming it and
/// the SDK version, so nothing is missing mid-request.
/// </summary>
[RequiresUnreferencedCode(TrimmingMessages.FindsSdkMembers)]
[RequiresDynamicCode(TrimmingMessages.BuildsCodeForSdkTypes)]
internal sealed class CoreTransportApi
{
    private readonly Func<ILoggerFactory, string, object> _createTransport;
    private readonly Func<object, ReadOnlyMemory<byte>, ClaimsPrincipal, string?, HttpResponse, CancellationToken, Task<bool>> _handlePost;
    private readonly Func<object, Stream, CancellationToken, Task> _handleGet;
    private readonly Func<object, McpServerOptions, ILoggerFactory, IServiceProvider, object> _createServer;
    private readonly Func<object, CancellationToken, Task> _runServer;

    private CoreTransportApi(
        string shape,
        Func<ILoggerFactory, string, object> createTransport,
        Func<object, ReadOnlyMemory<byte>, ClaimsPrincipal, string?, HttpResponse, CancellationToken, Task<bool>> handlePost,
        Func<object, Stream, CancellationToken, Task> handleGet,
        Func<object, McpServerOptions, ILoggerFactory, IServiceProvider, object> createServer,
        Func<object, CancellationToken, Task> runServer)
    {
        Shape = shape;
        _createTransport = createTransport;
        _handlePost = handlePost;
        _handleGet = handleGet;
        _createServer = createServer;
        _runServer = runServer;
    }

    /// <summary>Gets the transport API shape in use: <c>message</c> (1.2.0 and later) or <c>pipe</c> (0.2).</summary>
    public string Shape { get; }

    public object CreateTransport(ILoggerFactory loggerFactory, string sessionId) => _createTransport(loggerFactory, sessionId);

    /// <summary>Hands one POSTed JSON-RPC message to the transport; <see langword="true"/> when it wrote a response.</summary>
    public Task<bool> HandlePostAsync(object transport, ReadOnlyMemory<byte> body, ClaimsPrincipal user, string? protocolVersion, HttpResponse response, CancellationToken cancellationToken) =>
        _handlePost(transport, body, user, protocolVersion, response, cancellationToken);

    public Task HandleGetAsync(object transport, Stream responseBody, CancellationToken cancellationToken) =>
        _handleGet(transport, responseBody, cancellationToken);

    public object CreateServer(object transport, McpServerOptions options, ILoggerFactory loggerFactory, IServiceProvider services) =>
        _createServer(transport, options, loggerFactory, services);

    public Task RunServerAsync(object server, CancellationToken cancellationToken) => _runServer(server, cancellationToken);

    /// <summary>Compiles the delegates for the SDK the report describes, or throws naming what is missing.</summary>
    public static CoreTransportApi Create(McpSdkReport report)
    {
        var sdk = report.GetAssembly(SdkProbe.CoreAssembly)?.ToString() ?? "ModelContextProtocol.Core (not loaded)";
        var transportType = report.Members.StreamableHttpServerTransportType
            ?? throw Missing(sdk, SdkProbe.TransportTypeName, report.GetFeature(McpSdkFeatureKind.StreamableHttpTransport).Evidence);

        var (createServer, runServer) = CompileServer(transportType.Assembly, sdk);

        if (report.Members.HandlePostMessage is { } postMessage)
        {
            var ctor = transportType.GetConstructor([typeof(ILoggerFactory)])
                ?? throw Missing(sdk, $"{transportType.Name}(ILoggerFactory)", "constructor not found");
            var sessionId = transportType.GetProperty("SessionId");
            var getMethod = FindMethod(transportType, "HandleGetRequestAsync", [typeof(Stream), typeof(CancellationToken)], sdk);
            return new CoreTransportApi(
                "message",
                CompileCreateTransport(ctor, sessionId is { CanWrite: true } ? sessionId : null),
                CompileMessagePost(postMessage, sdk),
                CompileGet(getMethod),
                createServer,
                runServer);
        }

        if (report.Members.HandlePostPipe is { } postPipe)
        {
            var ctor = transportType.GetConstructor(Type.EmptyTypes)
                ?? throw Missing(sdk, $"{transportType.Name}()", "constructor not found");
            var getMethod = FindMethod(transportType, "HandleGetRequest", [typeof(Stream), typeof(CancellationToken)], sdk);
            return new CoreTransportApi(
                "pipe",
                CompileCreateTransport(ctor, sessionIdProperty: null),
                CompilePipePost(postPipe),
                CompileGet(getMethod),
                createServer,
                runServer);
        }

        throw Missing(
            sdk,
            $"{transportType.Name}.HandlePostRequestAsync(JsonRpcMessage, Stream, CancellationToken) or HandlePostRequest(IDuplexPipe, CancellationToken)",
            report.GetFeature(McpSdkFeatureKind.StreamableHttpMessageApi).Evidence);
    }

    private static InvalidOperationException Missing(string sdk, string member, string evidence) =>
        new($"MapMcpCompat cannot host Streamable HTTP on {sdk}: {member} is missing ({evidence}).");

    private static MethodInfo FindMethod(Type type, string name, Type[] parameters, string sdk) =>
        type.GetMethod(name, BindingFlags.Public | BindingFlags.Instance, parameters)
        ?? throw Missing(sdk, $"{type.Name}.{name}({string.Join(", ", parameters.Select(p => p.Name))})", "method not found");

    private static Func<ILoggerFactory, string, object> CompileCreateTransport(ConstructorInfo ctor, PropertyInfo? sessionIdProperty)
    {
        var loggerFactory = Expression.Parameter(typeof(ILoggerFactory), "loggerFactory");
        var sessionId = Expression.Parameter(typeof(string), "sessionId");
        var create = ctor.GetParameters().Length == 1 ? Expression.New(ctor, loggerFactory) : Expression.New(ctor);
        Expression body = sessionIdProperty is null
            ? create
            : Expression.MemberInit(create, Expression.Bind(sessionIdProperty, sessionId));
        return Expression.Lambda<Func<ILoggerFactory, string, object>>(Expression.Convert(body, typeof(object)), loggerFactory, sessionId).Compile();
    }

    private static Func<object, Stream, CancellationToken, Task> CompileGet(MethodInfo method)
    {
        var transport = Expression.Parameter(typeof(object), "transport");
        var stream = Expression.Parameter(typeof(Stream), "stream");
        var token = Expression.Parameter(typeof(CancellationToken), "cancellationToken");
        var call = Expression.Call(Expression.Convert(transport, method.DeclaringType!), method, stream, token);
        return Expression.Lambda<Func<object, Stream, CancellationToken, Task>>(call, transport, stream, token).Compile();
    }

    private static Func<object, ReadOnlyMemory<byte>, ClaimsPrincipal, string?, HttpResponse, CancellationToken, Task<bool>> CompileMessagePost(MethodInfo method, string sdk)
    {
        var transport = Expression.Parameter(typeof(object), "transport");
        var message = Expression.Parameter(typeof(JsonRpcMessage), "message");
        var stream = Expression.Parameter(typeof(Stream), "stream");
        var token = Expression.Parameter(typeof(CancellationToken), "cancellationToken");
        var call = Expression.Call(Expression.Convert(transport, method.DeclaringType!), method, message, stream, token);
        var post = Expression.Lambda<Func<object, JsonRpcMessage, Stream, CancellationToken, Task<bool>>>(call, transport, message, stream, token).Compile();
        var attachContext = CompileAttachContext(sdk);
        var serializerOptions = McpJsonUtilities.DefaultOptions;

        return (target, body, user, protocolVersion, response, cancellationToken) =>
        {
            var parsed = JsonSerializer.Deserialize<JsonRpcMessage>(body.Span, serializerOptions)
                ?? throw new JsonException("The request body is not a JSON-RPC message.");
            attachContext?.Invoke(parsed, user, protocolVersion);
            return post(target, parsed, response.Body, cancellationToken);
        };
    }

    /// <summary>
    /// The message-shaped API carries the request's user (and protocol version, where the SDK has it) on the message:
    /// <c>message.Context ??= new(); message.Context.User = user;</c>.
    /// </summary>
    private static Action<JsonRpcMessage, ClaimsPrincipal, string?>? CompileAttachContext(string sdk)
    {
        var contextProperty = typeof(JsonRpcMessage).GetProperty("Context");
        if (contextProperty is null)
        {
            return null;
        }

        var contextType = contextProperty.PropertyType;
        var userProperty = contextType.GetProperty("User");
        var versionProperty = contextType.GetProperty("ProtocolVersion");
        var contextCtor = contextType.GetConstructor(Type.EmptyTypes)
            ?? throw Missing(sdk, $"{contextType.Name}()", "constructor not found");

        var message = Expression.Parameter(typeof(JsonRpcMessage), "message");
        var user = Expression.Parameter(typeof(ClaimsPrincipal), "user");
        var version = Expression.Parameter(typeof(string), "protocolVersion");
        var context = Expression.Variable(contextType, "context");
        var statements = new List<Expression>
        {
            Expression.Assign(context, Expression.Property(message, contextProperty)),
            Expression.IfThen(
                Expression.Equal(context, Expression.Constant(null, contextType)),
                Expression.Block(
                    Expression.Assign(context, Expression.New(contextCtor)),
                    Expression.Assign(Expression.Property(message, contextProperty), context))),
        };
        if (userProperty is { CanWrite: true } && userProperty.PropertyType == typeof(ClaimsPrincipal))
        {
            statements.Add(Expression.Assign(Expression.Property(context, userProperty), user));
        }

        if (versionProperty is { CanWrite: true } && versionProperty.PropertyType == typeof(string))
        {
            statements.Add(Expression.IfThen(
                Expression.NotEqual(version, Expression.Constant(null, typeof(string))),
                Expression.Assign(Expression.Property(context, versionProperty), version)));
        }

        return Expression.Lambda<Action<JsonRpcMessage, ClaimsPrincipal, string?>>(
            Expression.Block([context], statements), message, user, version).Compile();
    }

    private static Func<object, ReadOnlyMemory<byte>, ClaimsPrincipal, string?, HttpResponse, CancellationToken, Task<bool>> CompilePipePost(MethodInfo method)
    {
        var transport = Expression.Parameter(typeof(object), "transport");
        var pipe = Expression.Parameter(typeof(IDuplexPipe), "pipe");
        var token = Expression.Parameter(typeof(CancellationToken), "cancellationToken");
        var call = Expression.Call(Expression.Convert(transport, method.DeclaringType!), method, pipe, token);
        var post = Expression.Lambda<Func<object, IDuplexPipe, CancellationToken, Task<bool>>>(call, transport, pipe, token).Compile();

        // The pipe-shaped transport reads the message from the pipe itself: give it the body already read.
        return (target, body, _, _, response, cancellationToken) =>
            post(target, new BodyPipe(PipeReader.Create(new ReadOnlySequence<byte>(body)), response.BodyWriter), cancellationToken);
    }

    private static (Func<object, McpServerOptions, ILoggerFactory, IServiceProvider, object> Create, Func<object, CancellationToken, Task> Run) CompileServer(Assembly core, string sdk)
    {
        Type[] parameters = [typeof(ITransport), typeof(McpServerOptions), typeof(ILoggerFactory), typeof(IServiceProvider)];
        var create = FindStaticCreate(core.GetType("ModelContextProtocol.Server.McpServer"), parameters)
            ?? FindStaticCreate(core.GetType("ModelContextProtocol.Server.McpServerFactory"), parameters)
            ?? throw Missing(sdk, "McpServer.Create(ITransport, McpServerOptions, ILoggerFactory, IServiceProvider) or McpServerFactory.Create(…)", "neither static method found");

        var transport = Expression.Parameter(typeof(object), "transport");
        var options = Expression.Parameter(typeof(McpServerOptions), "options");
        var loggerFactory = Expression.Parameter(typeof(ILoggerFactory), "loggerFactory");
        var services = Expression.Parameter(typeof(IServiceProvider), "services");
        var call = Expression.Call(create, Expression.Convert(transport, typeof(ITransport)), options, loggerFactory, services);
        var createDelegate = Expression.Lambda<Func<object, McpServerOptions, ILoggerFactory, IServiceProvider, object>>(
            Expression.Convert(call, typeof(object)), transport, options, loggerFactory, services).Compile();

        var run = create.ReturnType.GetMethod("RunAsync", [typeof(CancellationToken)])
            ?? throw Missing(sdk, $"{create.ReturnType.Name}.RunAsync(CancellationToken)", "method not found");
        var server = Expression.Parameter(typeof(object), "server");
        var token = Expression.Parameter(typeof(CancellationToken), "cancellationToken");
        var runDelegate = Expression.Lambda<Func<object, CancellationToken, Task>>(
            Expression.Call(Expression.Convert(server, create.ReturnType), run, token), server, token).Compile();
        return (createDelegate, runDelegate);
    }

    private static MethodInfo? FindStaticCreate(Type? type, Type[] parameters) =>
        type?.GetMethod("Create", BindingFlags.Public | BindingFlags.Static, parameters);

    private sealed class BodyPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
