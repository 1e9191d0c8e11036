using System.Linq.Expressions;
using System.Reflection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpCompat.MapMcpCompat;

/// <summary>Creates and runs the SDK's server over a transport: <c>McpServer.Create</c> (1.0.0 and later) or <c>McpServerFactory.Create</c> (0.2).</summary>
internal sealed class SdkServerFactory
{
    private readonly Func<object, McpServerOptions, ILoggerFactory, IServiceProvider, object> _create;
    private readonly Func<object, CancellationToken, Task> _run;

    public SdkServerFactory(MethodInfo create, MethodInfo run)
    {
        var transport = Expression.Parameter(typeof(object), "transport");
        var options = Expression.Parameter(typeof(McpServerOptions), "options");
        var loggerFactory = Expression.Parameter(typeof(ILoggerFactory), "loggerFactory");
        var services = Expression.Parameter(typeof(IServiceProvider), "services");
        var call = Expression.Call(create, Expression.Convert(transport, typeof(ITransport)), options, loggerFactory, services);
        _create = Expression.Lambda<Func<object, McpServerOptions, ILoggerFactory, IServiceProvider, object>>(
            Expression.Convert(call, typeof(object)), transport, options, loggerFactory, services).Compile();

        var server = Expression.Parameter(typeof(object), "server");
        var token = Expression.Parameter(typeof(CancellationToken), "cancellationToken");
        _run = Expression.Lambda<Func<object, CancellationToken, Task>>(
            Expression.Call(Expression.Convert(server, create.ReturnType), run, token), server, token).Compile();
    }

    public object Create(object transport, McpServerOptions options, ILoggerFactory loggerFactory, IServiceProvider services) =>
        _create(transport, options, loggerFactory, services);

    public Task RunAsync(object server, CancellationToken cancellationToken) => _run(server, cancellationToken);
}
