using System.Reflection;

namespace McpCompat.Probing;

/// <summary>
/// The probe's look-up of the SDK host's session migration hook (ModelContextProtocol.AspNetCore 1.0.0 and later): the
/// <c>ISessionMigrationHandler</c> interface, exactly the two methods McpCompat implements, and the options property
/// that takes one; and, on every host build, the host's own table of live sessions.
/// </summary>
internal static partial class SdkProbe
{
    internal const string SessionMigrationHandlerTypeName = "ModelContextProtocol.AspNetCore.ISessionMigrationHandler";
    internal const string InitializeRequestParamsTypeName = "ModelContextProtocol.Protocol.InitializeRequestParams";
    private const string HttpContextTypeName = "Microsoft.AspNetCore.Http.HttpContext";
    private const string SessionTableTypeName = "ModelContextProtocol.AspNetCore.StatefulSessionManager";
    private const string SessionTypeName = "ModelContextProtocol.AspNetCore.StreamableHttpSession";

    private static (ProbedMembers Members, McpSdkFeature Feature) FindSessionMigrationMembers(Assembly? aspNetCore, Type? options, ProbedMembers members)
    {
        // The host's own table of live sessions, for a DELETE of an id the host may hold without a record: optional, and
        // looked for whether the host has the hook or not.
        var table = FindType(aspNetCore, AspNetCoreAssembly, SessionTableTypeName, out var tableEvidence);
        var tryGet = FindMethod(table, "TryGetValue", ["System.String", SessionTypeName + "&"], out var tryGetEvidence);
        if (tryGet is not null && tryGet.ReturnType != typeof(bool))
        {
            tryGetEvidence = $"{tryGetEvidence}, expected Boolean";
            tryGet = null;
        }

        members = members with
        {
            SessionTableType = tryGet is null ? null : table,
            SessionTableTryGetValue = tryGet,
            SessionTableEvidence = table is null ? tableEvidence : tryGetEvidence,
        };

        var handler = FindType(aspNetCore, AspNetCoreAssembly, SessionMigrationHandlerTypeName, out var typeEvidence);
        if (handler is null || !handler.IsInterface)
        {
            return (members, new(McpSdkFeatureKind.SessionMigration, false, handler is null ? typeEvidence : $"{handler.Name} is not an interface"));
        }

        var initialized = FindMethod(handler, "OnSessionInitializedAsync", [HttpContextTypeName, "System.String", InitializeRequestParamsTypeName, CancellationTokenTypeName], out var initializedEvidence);
        var allow = FindMethod(handler, "AllowSessionMigrationAsync", [HttpContextTypeName, "System.String", CancellationTokenTypeName], out var allowEvidence);
        var property = FindProperty(options, "SessionMigrationHandler", SessionMigrationHandlerTypeName, out var propertyEvidence);
        var others = handler.GetMethods().Length + handler.GetProperties().Length + handler.GetEvents().Length - 2;
        var missing = initialized is null ? initializedEvidence
            : initialized.ReturnType != typeof(ValueTask) ? $"{initializedEvidence}, expected ValueTask"
            : allow is null ? allowEvidence
            : !IsValueTaskOf(allow.ReturnType, InitializeRequestParamsTypeName) ? $"{allowEvidence}, expected ValueTask<InitializeRequestParams?>"
            : property is null ? propertyEvidence
            : others != 0 ? $"{handler.Name} has {others} members besides the two McpCompat implements"
            : null;
        if (missing is not null)
        {
            return (members, new(McpSdkFeatureKind.SessionMigration, false, missing));
        }

        return (members with { SessionMigrationHandlerType = handler, SessionMigrationInitialized = initialized, SessionMigrationAllow = allow, SessionMigrationHandler = property },
            new(McpSdkFeatureKind.SessionMigration, true, $"{typeEvidence}; {initializedEvidence}; {allowEvidence}; {propertyEvidence}"));
    }

    private static bool IsValueTaskOf(Type type, string argument) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTask<>) && type.GetGenericArguments()[0].FullName == argument;
}
