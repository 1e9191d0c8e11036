using System.Reflection;

namespace McpCompat.Probing;

/// <summary>
/// The reflected members the probe found, handed on to the code that compiles delegates from them once.
/// </summary>
internal sealed class ProbedMembers
{
    public Type? HttpServerTransportOptionsType { get; init; }

    public PropertyInfo? IdleTimeout { get; init; }

    public PropertyInfo? MaxIdleSessionCount { get; init; }

    public PropertyInfo? TimeProvider { get; init; }

    public PropertyInfo? SessionMode { get; init; }

    public PropertyInfo? Stateless { get; init; }

    public Type? StreamableHttpServerTransportType { get; init; }

    public MethodInfo? HandlePostMessage { get; init; }

    public MethodInfo? HandlePostPipe { get; init; }
}
