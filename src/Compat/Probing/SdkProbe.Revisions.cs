using System.Collections;
using System.Reflection;

namespace McpCompat.Probing;

/// <summary>
/// The probe's reading of the protocol revisions the installed SDK supports, from the SDK's own list: McpCompat keeps
/// no list of its own, so a revision the SDK learns is served the day the application takes that SDK.
/// </summary>
internal static partial class SdkProbe
{
    /// <summary>Where SDK builds keep their list of revisions, newest layout first.</summary>
    private static readonly (string Type, string Field)[] RevisionLists =
    [
        ("ModelContextProtocol.Protocol.McpProtocolVersions", "SupportedProtocolVersions"),
        ("ModelContextProtocol.McpSessionHandler", "SupportedProtocolVersions"),
        ("ModelContextProtocol.McpSession", "SupportedProtocolVersions"),
    ];

    /// <summary>
    /// Reads the revisions the SDK supports and those of them that have no sessions and no handshake (every request
    /// carries its own metadata: 2026-07-28 and later), with the evidence: where each list was found, or why not.
    /// </summary>
    private static (ProbedMembers Members, McpSdkFeature Feature) FindProtocolRevisions(Assembly? core, Type? transport, ProbedMembers members)
    {
        string[]? supported = null;
        var evidence = core is null ? $"assembly {CoreAssembly} is not loaded" : "no list of supported protocol versions found";
        foreach (var (type, field) in RevisionLists)
        {
            if (ReadStrings(core, type, field) is { Length: > 0 } found)
            {
                supported = found;
                evidence = $"{type[(type.LastIndexOf('.') + 1)..]}.{field} = {string.Join(", ", found)}";
                break;
            }
        }

        var perRequest = ReadStrings(core, RevisionLists[0].Type, "PerRequestMetadataProtocolVersions") ?? [];
        var sessionless = supported is null ? [] : perRequest.Where(supported.Contains).ToArray();

        // Serving such a revision takes a stateless transport and a POST handler that reports the first message before
        // it is written (so that an error can still choose the HTTP status); without them the revision is not served.
        var stateless = FindProperty(transport, "Stateless", "System.Boolean", out var statelessEvidence);
        var postStarting = FindPostWithResponseStarting(transport);
        var why = sessionless.Length == 0 ? (supported is null ? evidence : $"no revision without sessions; {evidence}")
            : stateless is null ? statelessEvidence
            : postStarting is null ? $"{transport?.Name}.HandlePostRequestAsync(JsonRpcMessage, Stream, Func<JsonRpcMessage, ValueTask>, CancellationToken) not found"
            : null;
        var feature = why is null
            ? new McpSdkFeature(McpSdkFeatureKind.SessionlessRevision, true, $"McpProtocolVersions.PerRequestMetadataProtocolVersions = {string.Join(", ", sessionless)}; {statelessEvidence}; {evidence}")
            : new McpSdkFeature(McpSdkFeatureKind.SessionlessRevision, false, why);
        return (members with
        {
            ProtocolVersions = why is null || supported is null ? supported : supported.Except(sessionless).ToArray(),
            SessionlessProtocolVersions = why is null ? sessionless : [],
            ProtocolVersionsEvidence = evidence,
            TransportStateless = why is null ? stateless : null,
            HandlePostWithResponseStarting = why is null ? postStarting : null,
        }, feature);
    }

    /// <summary><c>HandlePostRequestAsync(JsonRpcMessage, Stream, Func&lt;JsonRpcMessage?, ValueTask&gt;?, CancellationToken)</c>, or null.</summary>
    private static MethodInfo? FindPostWithResponseStarting(Type? transport)
    {
        try
        {
            return transport?.GetMethods(BindingFlags.Public | BindingFlags.Instance).FirstOrDefault(m =>
                m.Name == "HandlePostRequestAsync" && m.ReturnType == typeof(Task<bool>) &&
                m.GetParameters() is [{ ParameterType.Name: "JsonRpcMessage" }, { ParameterType.FullName: StreamTypeName }, { ParameterType: var callback }, { ParameterType.FullName: CancellationTokenTypeName }] &&
                callback.IsGenericType && callback.GetGenericTypeDefinition() == typeof(Func<,>) && callback.GetGenericArguments()[1] == typeof(ValueTask));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return null;
        }
    }

    /// <summary>The strings of a static field (an array or any sequence of strings), or null when it is not there.</summary>
    private static string[]? ReadStrings(Assembly? assembly, string typeName, string fieldName)
    {
        try
        {
            var field = assembly?.GetType(typeName, throwOnError: false)?.GetField(fieldName, BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic);
            return field?.GetValue(null) is IEnumerable values and not string ? values.OfType<string>().ToArray() : null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return null;
        }
    }
}
