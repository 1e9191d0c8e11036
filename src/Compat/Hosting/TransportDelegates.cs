using System.Linq.Expressions;
using System.Reflection;
using Microsoft.Extensions.Logging;

namespace McpCompat.Hosting;

/// <summary>Delegates both transport adapters compile the same way from the probed members.</summary>
internal static class TransportDelegates
{
    /// <summary><c>new Transport(loggerFactory) { SessionId = sessionId }</c>, each part where the constructor and property have it.</summary>
    public static Func<ILoggerFactory, string, object> CreateTransport(ConstructorInfo ctor, PropertyInfo? sessionIdProperty)
    {
        var loggerFactory = Expression.Parameter(typeof(ILoggerFactory), "loggerFactory");
        var sessionId = Expression.Parameter(typeof(string), "sessionId");
        var create = ctor.GetParameters().Length == 1 ? Expression.New(ctor, loggerFactory) : Expression.New(ctor);
        Expression body = sessionIdProperty is null
            ? create
            : Expression.MemberInit(create, Expression.Bind(sessionIdProperty, sessionId));
        return Expression.Lambda<Func<ILoggerFactory, string, object>>(Expression.Convert(body, typeof(object)), loggerFactory, sessionId).Compile();
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
