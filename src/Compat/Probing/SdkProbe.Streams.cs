using System.Reflection;

namespace McpCompat.Probing;

/// <summary>
/// The probe's look-ups of resumable streams in ModelContextProtocol.Core (1.0.0 and later): the transport's
/// <c>EventStreamStore</c>, the store's reader by <c>Last-Event-ID</c>, and what the reader gives back.
/// </summary>
internal static partial class SdkProbe
{
    internal const string EventStreamStoreTypeName = "ModelContextProtocol.Server.ISseEventStreamStore";
    internal const string EventStreamReaderTypeName = "ModelContextProtocol.Server.ISseEventStreamReader";

    /// <summary>
    /// Finds the members <c>MapMcpCompat</c> needs to give its transports the application's event stream store and to
    /// replay a stream from it; all of them, or none (with the evidence of the first one missing).
    /// </summary>
    private static (ProbedMembers Members, McpSdkFeature Feature) FindEventStreamMembers(Assembly? core, Type? transport, ProbedMembers members)
    {
        var store = FindProperty(transport, "EventStreamStore", EventStreamStoreTypeName, out var storeEvidence);
        if (store is null)
        {
            return (members, new(McpSdkFeatureKind.EventStreamStore, false, storeEvidence));
        }

        var storeType = store.PropertyType;
        var getReader = FindMethod(storeType, "GetStreamReaderAsync", ["System.String", CancellationTokenTypeName], out var readerEvidence);
        var readerType = FindType(core, CoreAssembly, EventStreamReaderTypeName, out var readerTypeEvidence);
        var readEvents = FindMethod(readerType, "ReadEventsAsync", [CancellationTokenTypeName], out var readEvidence);
        var sessionId = readerType?.GetProperty("SessionId", BindingFlags.Public | BindingFlags.Instance);
        var missing = getReader is null ? readerEvidence
            : readerType is null ? readerTypeEvidence
            : readEvents is null ? readEvidence
            : sessionId?.PropertyType != typeof(string) ? $"{readerType.Name}.SessionId : String not found"
            : null;
        if (missing is not null)
        {
            return (members, new(McpSdkFeatureKind.EventStreamStore, false, missing));
        }

        return (members with
        {
            TransportEventStreamStore = store,
            EventStreamStoreGetReader = getReader,
            EventStreamReaderSessionId = sessionId,
            EventStreamReaderReadEvents = readEvents,
        }, new(McpSdkFeatureKind.EventStreamStore, true, $"{storeEvidence}; {readerEvidence}; {readEvidence}"));
    }
}
