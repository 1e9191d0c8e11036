using System.Reflection;

namespace McpCompat.Probing;

/// <summary>The probe's look-ups of what <c>MapMcpCompat</c> needs from ModelContextProtocol.Core, by name only.</summary>
internal static partial class SdkProbe
{
    internal const string LoggerFactoryTypeName = "Microsoft.Extensions.Logging.ILoggerFactory";
    internal const string StreamTypeName = "System.IO.Stream";
    internal const string CancellationTokenTypeName = "System.Threading.CancellationToken";

    private static readonly string[] ServerFactoryTypeNames = ["ModelContextProtocol.Server.McpServer", "ModelContextProtocol.Server.McpServerFactory"];

    private static readonly string[] ServerCreateParameters =
        ["ModelContextProtocol.Protocol.ITransport", "ModelContextProtocol.Server.McpServerOptions", LoggerFactoryTypeName, "System.IServiceProvider"];

    /// <summary>
    /// Finds the transport's constructors, GET handlers and session id, the server's creation and run methods, and the
    /// message context: the hosting part of <see cref="ProbedMembers"/>, the rest of which the caller adds.
    /// </summary>
    private static ProbedMembers FindHostingMembers(Assembly? core, Type? transport)
    {
        var evidence = new Dictionary<string, string>(StringComparer.Ordinal);
        MethodInfo? create = null;
        foreach (var name in ServerFactoryTypeNames)
        {
            create = FindStaticMethod(FindType(core, CoreAssembly, name, out _), "Create", ServerCreateParameters);
            if (create is not null)
            {
                break;
            }
        }

        if (create is null)
        {
            evidence["ServerCreate"] = core is null ? $"assembly {CoreAssembly} is not loaded" : "neither static method found";
        }

        var context = FindSettable(FindType(core, CoreAssembly, "ModelContextProtocol.Protocol.JsonRpcMessage", out _), "Context", typeName: null);
        var contextType = context?.PropertyType;
        return new ProbedMembers
        {
            TransportLoggerFactoryConstructor = FindConstructor(transport, [LoggerFactoryTypeName], evidence),
            TransportDefaultConstructor = FindConstructor(transport, [], evidence),
            HandleGetMessage = Record(FindMethod(transport, "HandleGetRequestAsync", [StreamTypeName, CancellationTokenTypeName], out var getMessage), "HandleGetRequestAsync", getMessage, evidence),
            HandleGetPipe = Record(FindMethod(transport, "HandleGetRequest", [StreamTypeName, CancellationTokenTypeName], out var getPipe), "HandleGetRequest", getPipe, evidence),
            TransportSessionId = FindSettable(transport, "SessionId", "System.String"),
            ServerCreate = create,
            ServerRun = create is null ? null : Record(FindMethod(create.ReturnType, "RunAsync", [CancellationTokenTypeName], out var run), "ServerRun", run, evidence),
            MessageContext = context,
            MessageContextConstructor = contextType is null ? null : FindConstructor(contextType, [], evidence, "ContextConstructor"),
            MessageContextUser = FindSettable(contextType, "User", "System.Security.Claims.ClaimsPrincipal"),
            MessageContextProtocolVersion = FindSettable(contextType, "ProtocolVersion", "System.String"),
            HostingEvidence = evidence,
        };
    }

    private static MethodInfo? Record(MethodInfo? method, string key, string why, Dictionary<string, string> evidence)
    {
        if (method is null)
        {
            evidence[key] = why;
        }

        return method;
    }

    private static ConstructorInfo? FindConstructor(Type? owner, string[] parameterTypes, Dictionary<string, string> evidence, string? key = null)
    {
        key ??= parameterTypes.Length == 0 ? "DefaultConstructor" : "LoggerFactoryConstructor";
        try
        {
            var ctor = owner?.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
                .FirstOrDefault(c => c.GetParameters().Select(p => p.ParameterType.FullName).SequenceEqual(parameterTypes));
            if (ctor is null)
            {
                evidence[key] = "constructor not found";
            }

            return ctor;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            evidence[key] = $"looking for the constructor threw {ex.GetType().Name}: {ex.Message}";
            return null;
        }
    }

    /// <summary>A public settable instance property of that type (any type when <paramref name="typeName"/> is null), or null.</summary>
    private static PropertyInfo? FindSettable(Type? owner, string name, string? typeName)
    {
        try
        {
            return owner?.GetProperty(name, BindingFlags.Public | BindingFlags.Instance) is { CanWrite: true } property &&
                (typeName is null || property.PropertyType.FullName == typeName)
                ? property
                : null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return null;
        }
    }

    private static MethodInfo? FindStaticMethod(Type? owner, string name, string[] parameterTypes)
    {
        try
        {
            return owner?.GetMethods(BindingFlags.Public | BindingFlags.Static)
                .FirstOrDefault(m => m.Name == name && m.GetParameters().Select(p => p.ParameterType.FullName).SequenceEqual(parameterTypes));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return null;
        }
    }
}
