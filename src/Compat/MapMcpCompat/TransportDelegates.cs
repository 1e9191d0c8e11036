using System.Linq.Expressions;
using System.Reflection;
using Microsoft.Extensions.Logging;

namespace McpCompat.MapMcpCompat;

/// <summary>Delegates both transport adapters compile the same way from the probed members.</summary>
internal static class TransportDelegates
{
    /// <summary>
    /// <c>new Transport(loggerFactory) { SessionId = sessionId, EventStreamStore = (Store)store }</c>, each part where the
    /// constructor and properties have it.
    /// </summary>
    public static Func<ILoggerFactory, string, object?, object> CreateTransport(ConstructorInfo ctor, PropertyInfo? sessionIdProperty, PropertyInfo? storeProperty = null)
    {
        var loggerFactory = Expression.Parameter(typeof(ILoggerFactory), "loggerFactory");
        var sessionId = Expression.Parameter(typeof(string), "sessionId");
        var store = Expression.Parameter(typeof(object), "store");
        var create = ctor.GetParameters().Length == 1 ? Expression.New(ctor, loggerFactory) : Expression.New(ctor);
        var bindings = new List<MemberBinding>();
        if (sessionIdProperty is not null)
        {
            bindings.Add(Expression.Bind(sessionIdProperty, sessionId));
        }

        if (storeProperty is not null)
        {
            bindings.Add(Expression.Bind(storeProperty, Expression.Convert(store, storeProperty.PropertyType)));
        }

        Expression body = bindings.Count == 0 ? create : Expression.MemberInit(create, bindings);
        return Expression.Lambda<Func<ILoggerFactory, string, object?, object>>(Expression.Convert(body, typeof(object)), loggerFactory, sessionId, store).Compile();
    }

    /// <summary><c>((Transport)transport).HandleGet…(stream, cancellationToken)</c>.</summary>
    public static Func<object, Stream, CancellationToken, Task> HandleGet(MethodInfo method)
    {
        var transport = Expression.Parameter(typeof(object), "transport");
        var stream = Expression.Parameter(typeof(Stream), "stream");
        var token = Expression.Parameter(typeof(CancellationToken), "cancellationToken");
        var call = Expression.Call(Expression.Convert(transport, method.DeclaringType!), method, stream, token);
        return Expression.Lambda<Func<object, Stream, CancellationToken, Task>>(call, transport, stream, token).Compile();
    }
}
