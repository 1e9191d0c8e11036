using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Linq.Expressions;
using System.Net.ServerSentEvents;
using System.Reflection;
using System.Text.Json;
using McpCompat.Http;
using McpCompat.Probing;
using ModelContextProtocol.Protocol;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// The SDK's event stream store as <c>MapMcpCompat</c> uses it, compiled once from the members the probe found
/// (ModelContextProtocol.Core 1.0.0 and later): the store the application registered, handed to every transport so
/// streams carry event ids, and the replay of a stream from a <c>Last-Event-ID</c>.
/// </summary>
[RequiresUnreferencedCode(TrimmingMessages.FindsSdkMembers)]
[RequiresDynamicCode(TrimmingMessages.BuildsCodeForSdkTypes)]
internal sealed class EventStreamApi
{
    private static readonly MethodInfo AwaitReaderMethod = typeof(EventStreamApi).GetMethod(nameof(AwaitReaderAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly Func<object, string, CancellationToken, Task<object?>> _getReader;
    private readonly Func<object, string> _sessionId;
    private readonly Func<object, CancellationToken, IAsyncEnumerable<SseItem<JsonRpcMessage?>>> _readEvents;

    private EventStreamApi(ProbedMembers members)
    {
        StoreType = members.TransportEventStreamStore!.PropertyType;
        var getReader = members.EventStreamStoreGetReader!;
        var readEvents = members.EventStreamReaderReadEvents!;
        var readerType = members.EventStreamReaderSessionId!.DeclaringType!;

        var store = Expression.Parameter(typeof(object), "store");
        var lastEventId = Expression.Parameter(typeof(string), "lastEventId");
        var token = Expression.Parameter(typeof(CancellationToken), "cancellationToken");
        var valueTask = Expression.Call(Expression.Convert(store, StoreType), getReader, lastEventId, token);
        var awaitReader = AwaitReaderMethod.MakeGenericMethod(getReader.ReturnType.GetGenericArguments()[0]);
        _getReader = Expression.Lambda<Func<object, string, CancellationToken, Task<object?>>>(
            Expression.Call(awaitReader, valueTask), store, lastEventId, token).Compile();

        var reader = Expression.Parameter(typeof(object), "reader");
        _sessionId = Expression.Lambda<Func<object, string>>(
            Expression.Property(Expression.Convert(reader, readerType), members.EventStreamReaderSessionId!), reader).Compile();
        _readEvents = Expression.Lambda<Func<object, CancellationToken, IAsyncEnumerable<SseItem<JsonRpcMessage?>>>>(
            Expression.Convert(Expression.Call(Expression.Convert(reader, readerType), readEvents, token), typeof(IAsyncEnumerable<SseItem<JsonRpcMessage?>>)),
            reader, token).Compile();
    }

    /// <summary>Gets the SDK's <c>ISseEventStreamStore</c> type: what the application registers, and what transports take.</summary>
    public Type StoreType { get; }

    /// <summary>The API for the SDK the report describes, or <see langword="null"/> when its transports take no store.</summary>
    public static EventStreamApi? Create(McpSdkReport report) =>
        report.GetFeature(McpSdkFeatureKind.EventStreamStore).IsPresent ? new EventStreamApi(report.Members) : null;

    /// <summary>The stream a <c>Last-Event-ID</c> names, from the event after it on, or <see langword="null"/> when the id is unknown or expired.</summary>
    public Task<object?> GetReaderAsync(object store, string lastEventId, CancellationToken cancellationToken) =>
        _getReader(store, lastEventId, cancellationToken);

    /// <summary>The session the stream a reader reads belongs to.</summary>
    public string SessionIdOf(object reader) => _sessionId(reader);

    /// <summary>
    /// Writes the stream's events to <paramref name="destination"/> as SSE (id, retry and data, as the SDK wrote them)
    /// until the stream ends: at once for a stream the server is polling, when its writer is done otherwise.
    /// </summary>
    public async Task ReplayAsync(object reader, Stream destination, CancellationToken cancellationToken)
    {
        Utf8JsonWriter? json = null;
        try
        {
            await SseFormatter.WriteAsync(_readEvents(reader, cancellationToken), destination, Format, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            json?.Dispose();
        }

        void Format(SseItem<JsonRpcMessage?> item, IBufferWriter<byte> buffer)
        {
            if (item.Data is null)
            {
                return;
            }

            if (json is null)
            {
                json = new Utf8JsonWriter(buffer);
            }
            else
            {
                json.Reset(buffer);
            }

            JsonSerializer.Serialize(json, item.Data, McpJsonTypes.Message);
        }
    }

    private static async Task<object?> AwaitReaderAsync<TReader>(ValueTask<TReader?> pending)
        where TReader : class =>
        await pending.ConfigureAwait(false);
}
