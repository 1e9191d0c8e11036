using System.Linq.Expressions;
using System.Reflection;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpCompat.Hosting;

/// <summary>
/// The message API shape (1.0.0 and later): the host parses the POSTed JSON-RPC message, puts the request's user (and
/// protocol version, where the SDK has it) on the message's context, and the transport writes the response stream.
/// </summary>
internal sealed class MessageTransportAdapter : ITransportAdapter
{
    private readonly Func<ILoggerFactory, string, object> _create;
    private readonly Func<object, JsonRpcMessage, Stream, CancellationToken, Task<bool>> _post;
    private readonly Func<object, Stream, CancellationToken, Task> _get;
    private readonly Action<JsonRpcMessage, ClaimsPrincipal, string?>? _attachContext;
    private readonly JsonSerializerOptions _serializerOptions = McpJsonUtilities.DefaultOptions;

    public MessageTransportAdapter(ConstructorInfo constructor, PropertyInfo? sessionId, MethodInfo post, MethodInfo get)
    {
        _create = TransportDelegates.CreateTransport(constructor, sessionId);
        _get = TransportDelegates.HandleGet(get);
        _attachContext = CompileAttachContext();

        var transport = Expression.Parameter(typeof(object), "transport");
        var message = Expression.Parameter(typeof(JsonRpcMessage), "message");
        var stream = Expression.Parameter(typeof(Stream), "stream");
        var token = Expression.Parameter(typeof(CancellationToken), "cancellationToken");
        var call = Expression.Call(Expression.Convert(transport, post.DeclaringType!), post, message, stream, token);
        _post = Expression.Lambda<Func<object, JsonRpcMessage, Stream, CancellationToken, Task<bool>>>(call, transport, message, stream, token).Compile();
    }

    public TransportApiShape Shape => TransportApiShape.Message;

    public object CreateTransport(ILoggerFactory loggerFactory, string sessionId) => _create(loggerFactory, sessionId);

    public Task<bool> HandlePostAsync(object transport, ReadOnlyMemory<byte> body, ClaimsPrincipal user, string? protocolVersion, HttpResponse response, CancellationToken cancellationToken)
    {
        var parsed = JsonSerializer.Deserialize<JsonRpcMessage>(body.Span, _serializerOptions)
            ?? throw new JsonException("The request body is not a JSON-RPC message.");
        _attachContext?.Invoke(parsed, user, protocolVersion);
        return _post(transport, parsed, response.Body, cancellationToken);
    }

    public Task HandleGetAsync(object transport, Stream responseBody, CancellationToken cancellationToken) => _get(transport, responseBody, cancellationToken);

    /// <summary>
    /// <c>message.Context ??= new(); message.Context.User = user; message.Context.ProtocolVersion = version;</c>, each
    /// part where this SDK has it (the context type is the compiled-against SDK's, resolved at run time to the loaded one).
    /// </summary>
    private static Action<JsonRpcMessage, ClaimsPrincipal, string?>? CompileAttachContext()
    {
        var contextProperty = typeof(JsonRpcMessage).GetProperty("Context");
        if (contextProperty?.PropertyType.GetConstructor(Type.EmptyTypes) is not { } contextCtor)
        {
            return null;
        }

        var contextType = contextProperty.PropertyType;
        var userProperty = contextType.GetProperty("User");
        var versionProperty = contextType.GetProperty("ProtocolVersion");

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
}
