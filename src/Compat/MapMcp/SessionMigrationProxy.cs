using System.Reflection;
using Microsoft.AspNetCore.Http;
using ModelContextProtocol.Protocol;

namespace McpCompat.MapMcp;

/// <summary>
/// The SDK host's <c>ISessionMigrationHandler</c>, implemented at run time: McpCompat is compiled against an SDK without
/// the host, so the interface is only known by reflection. Each of its two methods, as the probe found them, is handed
/// to <see cref="SdkSessionMigration"/>; the probe made sure the interface has exactly those two.
/// </summary>
/// <remarks>Not sealed, with a public constructor: <see cref="DispatchProxy"/> derives the proxy type from it.</remarks>
#pragma warning disable CA1852 // DispatchProxy derives from this type.
internal class SessionMigrationProxy : DispatchProxy
#pragma warning restore CA1852
{
    internal SdkSessionMigration? Target { get; set; }

    /// <summary>Gets or sets the interface's <c>OnSessionInitializedAsync</c> (<see cref="Probing.ProbedMembers.SessionMigrationInitialized"/>).</summary>
    internal MethodInfo? Initialized { get; set; }

    /// <summary>Gets or sets the interface's <c>AllowSessionMigrationAsync</c> (<see cref="Probing.ProbedMembers.SessionMigrationAllow"/>).</summary>
    internal MethodInfo? Allow { get; set; }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        var target = Target ?? throw new InvalidOperationException("The session migration proxy has no target.");

        // Each task is returned, boxed, to the SDK, which awaits it once: CA2012's concern does not arise.
#pragma warning disable CA2012
        return args switch
        {
            [HttpContext context, string sessionId, InitializeRequestParams parameters, CancellationToken token] when targetMethod == Initialized =>
                target.OnSessionInitializedAsync(context, sessionId, parameters, token),
            [HttpContext context, string sessionId, CancellationToken token] when targetMethod == Allow =>
                target.AllowSessionMigrationAsync(context, sessionId, token),
            _ => throw new NotSupportedException($"McpCompat does not implement {targetMethod?.DeclaringType?.Name}.{targetMethod?.Name}."),
        };
#pragma warning restore CA2012
    }
}
