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
    private static (ProbedMembers Members, McpSdkFeature Feature) FindProtocolRevisions(Assembly? core, ProbedMembers members)
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
        var feature = sessionless.Length > 0
            ? new McpSdkFeature(McpSdkFeatureKind.SessionlessRevision, true, $"McpProtocolVersions.PerRequestMetadataProtocolVersions = {string.Join(", ", sessionless)}; {evidence}")
            : new McpSdkFeature(McpSdkFeatureKind.SessionlessRevision, false, supported is null ? evidence : $"no revision without sessions; {evidence}");
        return (members with { ProtocolVersions = supported, SessionlessProtocolVersions = sessionless, ProtocolVersionsEvidence = evidence }, feature);
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
