using System.Linq.Expressions;
using Microsoft.Extensions.DependencyInjection;

namespace McpCompat.MapMcp;

/// <summary>
/// Tells whether the SDK's own host holds a live session: its table of sessions (a service of the host), read through a
/// delegate compiled once from the member the probe found. Where the probe did not find it, nothing is known
/// (<see langword="null"/>).
/// </summary>
internal sealed class SdkSessionTable
{
    private readonly IServiceProvider _services;
    private readonly Type? _tableType;
    private readonly Func<object, string, bool>? _tryGet;
    private object? _table;

    public SdkSessionTable(McpSdkReport report, IServiceProvider services)
    {
        _services = services;
        if (report.Members is { SessionTableType: { } type, SessionTableTryGetValue: { } method })
        {
            _tableType = type;
            var table = Expression.Parameter(typeof(object), "table");
            var id = Expression.Parameter(typeof(string), "id");
            var session = Expression.Variable(method.GetParameters()[1].ParameterType.GetElementType()!, "session");
            var call = Expression.Call(Expression.Convert(table, type), method, id, session);
            _tryGet = Expression.Lambda<Func<object, string, bool>>(Expression.Block([session], call), table, id).Compile();
        }
    }

    /// <summary>
    /// Gets whether the SDK's host holds session <paramref name="sessionId"/> now; <see langword="null"/> when McpCompat
    /// cannot tell (no such member in this SDK build, or no host registered).
    /// </summary>
    public bool? Holds(string sessionId)
    {
        if (_tryGet is null)
        {
            return null;
        }

        var table = _table ??= _services.GetService(_tableType!);
        return table is null ? null : _tryGet(table, sessionId);
    }
}
