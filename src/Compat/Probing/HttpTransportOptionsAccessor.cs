using System.Linq.Expressions;
using System.Reflection;
namespace McpCompat.Probing;

/// <summary>
/// Reads and writes the SDK's <c>HttpServerTransportOptions</c> through delegates compiled once from the
/// members the probe found. A member the probe did not find has no delegate: callers check first.
/// </summary>
internal sealed class HttpTransportOptionsAccessor
{
    private readonly Func<object, TimeSpan>? _getIdleTimeout;
    private readonly Action<object, TimeSpan>? _setIdleTimeout;
    private readonly Func<object, int>? _getMaxIdle;
    private readonly Action<object, int>? _setMaxIdle;
    private readonly Func<object, TimeProvider>? _getTimeProvider;
    private readonly Action<object, TimeProvider>? _setTimeProvider;
    private readonly Func<object, bool>? _isStateless;
    private readonly Func<object, object?>? _getMigrationHandler;
    private readonly Action<object, object?>? _setMigrationHandler;

    public HttpTransportOptionsAccessor(ProbedMembers members)
    {
        OptionsType = members.HttpServerTransportOptionsType;
        (_getIdleTimeout, _setIdleTimeout) = Compile<TimeSpan>(members.IdleTimeout);
        (_getMaxIdle, _setMaxIdle) = Compile<int>(members.MaxIdleSessionCount);
        (_getTimeProvider, _setTimeProvider) = Compile<TimeProvider>(members.TimeProvider);
        _isStateless = CompileStateless(members);
        (_getMigrationHandler, _setMigrationHandler) = CompileObject(members.SessionMigrationHandler);
        MigrationHandlerType = members.SessionMigrationHandlerType;
    }

    /// <summary>Gets the SDK host's <c>ISessionMigrationHandler</c> interface, where the probe found the hook.</summary>
    public Type? MigrationHandlerType { get; }

    public bool CanSetMigrationHandler => _setMigrationHandler is not null && MigrationHandlerType is not null;

    public object? GetMigrationHandler(object options) => _getMigrationHandler?.Invoke(options);

    public void SetMigrationHandler(object options, object handler) => Require(_setMigrationHandler, "SessionMigrationHandler")(options, handler);

    /// <summary>Gets the SDK's options type, or <see langword="null"/> without the AspNetCore package.</summary>
    public Type? OptionsType { get; }

    public bool CanSetIdleTimeout => _setIdleTimeout is not null;

    public bool CanSetMaxIdleSessionCount => _setMaxIdle is not null;

    public bool CanSetTimeProvider => _setTimeProvider is not null;

    public TimeSpan? GetIdleTimeout(object options) => _getIdleTimeout?.Invoke(options);

    public void SetIdleTimeout(object options, TimeSpan value) => Require(_setIdleTimeout, "IdleTimeout")(options, value);

    public int? GetMaxIdleSessionCount(object options) => _getMaxIdle?.Invoke(options);

    public void SetMaxIdleSessionCount(object options, int value) => Require(_setMaxIdle, "MaxIdleSessionCount")(options, value);

    public TimeProvider? GetTimeProvider(object options) => _getTimeProvider?.Invoke(options);

    public void SetTimeProvider(object options, TimeProvider value) => Require(_setTimeProvider, "TimeProvider")(options, value);

    /// <summary>Gets whether the options select stateless Streamable HTTP (no sessions). SDKs without the option are always stateful.</summary>
    public bool IsStateless(object options) => _isStateless?.Invoke(options) ?? false;

    private static T Require<T>(T? setter, string member)
        where T : Delegate =>
        setter ?? throw new InvalidOperationException($"HttpServerTransportOptions.{member} was not found by the probe.");

    private static (Func<object, object?>? Get, Action<object, object?>? Set) CompileObject(PropertyInfo? property)
    {
        if (property?.DeclaringType is null)
        {
            return (null, null);
        }

        var target = Expression.Parameter(typeof(object), "options");
        var value = Expression.Parameter(typeof(object), "value");
        var typed = Expression.Property(Expression.Convert(target, property.DeclaringType), property);
        var get = Expression.Lambda<Func<object, object?>>(Expression.Convert(typed, typeof(object)), target).Compile();
        var set = Expression.Lambda<Action<object, object?>>(Expression.Assign(typed, Expression.Convert(value, property.PropertyType)), target, value).Compile();
        return (get, set);
    }

    private static (Func<object, T>? Get, Action<object, T>? Set) Compile<T>(PropertyInfo? property)
    {
        if (property?.DeclaringType is null)
        {
            return (null, null);
        }

        var instance = Expression.Parameter(typeof(object), "options");
        var value = Expression.Parameter(typeof(T), "value");
        var typed = Expression.Convert(instance, property.DeclaringType);
        var get = Expression.Lambda<Func<object, T>>(Expression.Property(typed, property), instance).Compile();
        var set = Expression.Lambda<Action<object, T>>(Expression.Assign(Expression.Property(typed, property), value), instance, value).Compile();
        return (get, set);
    }

    private static Func<object, bool>? CompileStateless(ProbedMembers members)
    {
        if (members.Stateless is { DeclaringType: not null } stateless)
        {
            var instance = Expression.Parameter(typeof(object), "options");
            return Expression.Lambda<Func<object, bool>>(
                Expression.Property(Expression.Convert(instance, stateless.DeclaringType), stateless), instance).Compile();
        }

        if (members.SessionMode is { DeclaringType: not null } mode)
        {
            var instance = Expression.Parameter(typeof(object), "options");
            var statelessValue = Enum.Parse(mode.PropertyType, "Stateless");
            var body = Expression.Equal(
                Expression.Property(Expression.Convert(instance, mode.DeclaringType), mode),
                Expression.Constant(statelessValue, mode.PropertyType));
            return Expression.Lambda<Func<object, bool>>(body, instance).Compile();
        }

        return null;
    }
}
