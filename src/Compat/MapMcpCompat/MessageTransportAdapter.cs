using System.Linq.Expressions;
using System.Security.Claims;
using System.Text.Json;
using McpCompat.Http;
using McpCompat.Probing;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// The message API shape (1.0.0 and later): the host parses the POSTed JSON-RPC message, puts the request's user (and
/// protocol version, where the SDK has it) on the message's context, and the transport writes the response stream.
/// </summary>
internal sealed class MessageTransportAdapter : ITransportAdapter
{
    private readonly Func<ILoggerFactory, string, object?, object> _create;
    private readonly Func<ILoggerFactory, string, object?, object> _createWithStore;
    private readonly Func<object, JsonRpcMessage, Stream, CancellationToken, Task<bool>> _post;
    private readonly Func<object, Stream, CancellationToken, Task> _get;
    private readonly Action<JsonRpcMessage, ClaimsPrincipal, string?>? _attachContext;
    private readonly Func<ILoggerFactory, object>? _createStateless;
    private readonly Func<object, JsonRpcMessage, Stream, Func<JsonRpcMessage?, ValueTask>, CancellationToken, Task<bool>>? _postStarting;

    public MessageTransportAdapter(ProbedMembers members)
    {
        _create = TransportDelegates.CreateTransport(members.TransportLoggerFactoryConstructor!, members.TransportSessionId);
        _createWithStore = members.TransportEventStreamStore is { } store
            ? TransportDelegates.CreateTransport(members.TransportLoggerFactoryConstructor!, members.TransportSessionId, store)
            : _create;
        _get = TransportDelegates.HandleGet(members.HandleGetMessage!);
        _attachContext = CompileAttachContext(members);
        var post = members.HandlePostMessage!;

        var transport = Expression.Parameter(typeof(object), "transport");
        var message = Expression.Parameter(typeof(JsonRpcMessage), "message");
        var stream = Expression.Parameter(typeof(Stream), "stream");
        var token = Expression.Parameter(typeof(CancellationToken), "cancellationToken");
        var call = Expression.Call(Expression.Convert(transport, post.DeclaringType!), post, message, stream, token);
        _post = Expression.Lambda<Func<object, JsonRpcMessage, Stream, CancellationToken, Task<bool>>>(call, transport, message, stream, token).Compile();

        if (members.TransportStateless is { } stateless && members.HandlePostWithResponseStarting is { } postStarting)
        {
            var loggerFactory = Expression.Parameter(typeof(ILoggerFactory), "loggerFactory");
            var create = Expression.MemberInit(
                Expression.New(members.TransportLoggerFactoryConstructor!, loggerFactory),
                Expression.Bind(stateless, Expression.Constant(true)));
            _createStateless = Expression.Lambda<Func<ILoggerFactory, object>>(Expression.Convert(create, typeof(object)), loggerFactory).Compile();

            var starting = Expression.Parameter(typeof(Func<JsonRpcMessage?, ValueTask>), "onResponseStarting");
            var callStarting = Expression.Call(Expression.Convert(transport, postStarting.DeclaringType!), postStarting, message, stream,
                Expression.Convert(starting, postStarting.GetParameters()[2].ParameterType), token);
            _postStarting = Expression.Lambda<Func<object, JsonRpcMessage, Stream, Func<JsonRpcMessage?, ValueTask>, CancellationToken, Task<bool>>>(
                callStarting, transport, message, stream, starting, token).Compile();
        }
    }

    public TransportApiShape Shape => TransportApiShape.Message;

    public object CreateTransport(ILoggerFactory loggerFactory, string sessionId, object? eventStreamStore) =>
        eventStreamStore is null ? _create(loggerFactory, sessionId, null) : _createWithStore(loggerFactory, sessionId, eventStreamStore);

    public Task<bool> HandlePostAsync(object transport, PostedMessage message, ClaimsPrincipal user, string? protocolVersion, Stream responseBody, CancellationToken cancellationToken)
    {
        var parsed = Read(message);
        _attachContext?.Invoke(parsed, user, protocolVersion);
        return _post(transport, parsed, responseBody, cancellationToken);
    }

    public Task HandleGetAsync(object transport, Stream responseBody, CancellationToken cancellationToken) => _get(transport, responseBody, cancellationToken);

    /// <summary>Gets whether this SDK serves a request without a session (<see cref="CreateStatelessTransport"/>).</summary>
    public bool ServesStateless => _createStateless is not null;

    /// <summary>A transport for one request of a revision without sessions: <c>new Transport(loggerFactory) { Stateless = true }</c>.</summary>
    public object CreateStatelessTransport(ILoggerFactory loggerFactory) =>
        (_createStateless ?? throw new InvalidOperationException("This SDK serves no request without a session."))(loggerFactory);

    /// <summary>
    /// Hands a request of a revision without sessions to its transport, which reports the first message it will answer
    /// with to <paramref name="onResponseStarting"/> before writing anything, so that an error can choose the status.
    /// </summary>
    public Task<bool> HandleStatelessPostAsync(object transport, PostedMessage message, ClaimsPrincipal user, string protocolVersion, Stream responseBody, Func<JsonRpcMessage?, ValueTask> onResponseStarting, CancellationToken cancellationToken)
    {
        var parsed = Read(message);
        _attachContext?.Invoke(parsed, user, protocolVersion);
        return _postStarting!(transport, parsed, responseBody, onResponseStarting, cancellationToken);
    }

    /// <summary>The message as the SDK's type: as the body reader read it, or read now (once per message either way).</summary>
    private static JsonRpcMessage Read(PostedMessage message) =>
        message.Parsed ?? JsonSerializer.Deserialize(message.Body.Span, McpJsonTypes.Message) ?? throw new JsonException("The request body is not a JSON-RPC message.");

    /// <summary>
    /// <c>message.Context ??= new(); message.Context.User = user; message.Context.ProtocolVersion = version;</c>, each
    /// part the probe found in this SDK.
    /// </summary>
    private static Action<JsonRpcMessage, ClaimsPrincipal, string?>? CompileAttachContext(ProbedMembers members)
    {
        if (members.MessageContext is not { } contextProperty || members.MessageContextConstructor is not { } contextCtor)
        {
            return null;
        }

        var contextType = contextProperty.PropertyType;
        var userProperty = members.MessageContextUser;
        var versionProperty = members.MessageContextProtocolVersion;

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
        if (userProperty is not null)
        {
            statements.Add(Expression.Assign(Expression.Property(context, userProperty), user));
        }

        if (versionProperty is not null)
        {
            statements.Add(Expression.IfThen(
                Expression.NotEqual(version, Expression.Constant(null, typeof(string))),
                Expression.Assign(Expression.Property(context, versionProperty), version)));
        }

        return Expression.Lambda<Action<JsonRpcMessage, ClaimsPrincipal, string?>>(
            Expression.Block([context], statements), message, user, version).Compile();
    }
}
