namespace McpCompat.MapMcpCompat;

/// <summary>
/// Where a hosted session's SSE events come from: its transport's GET stream, or, on a GET with <c>Last-Event-ID</c>,
/// the application's event stream store (the SDK's <c>ISseEventStreamStore</c> in DI), where the SDK's transport takes
/// one. The store is looked up once, when <c>MapMcpCompat</c> maps its endpoint.
/// </summary>
internal sealed class HostedEventStreams(CoreTransportApi api, IServiceProvider services)
{
    private readonly EventStreamApi? _api = api.EventStreams;

    /// <summary>Gets the application's event stream store, or <see langword="null"/> when there is none (or the SDK takes none).</summary>
    public object? Store { get; } = api.EventStreams is { } streams ? services.GetService(streams.StoreType) : null;

    /// <summary>Gets whether a stream of a session can be resumed from the store.</summary>
    public bool CanResume => Store is not null && _api is not null;

    /// <summary>Writes the session's GET stream, what its server sends outside any request, to <paramref name="stream"/>.</summary>
    public Task ServeAsync(HostedSession session, Stream stream, CancellationToken cancellationToken) =>
        api.HandleGetAsync(session.Transport, stream, cancellationToken);

    /// <summary>Gets a reader of the stream <paramref name="lastEventId"/> names, from the event after it; <see langword="null"/> when the store does not know it.</summary>
    public Task<object?> GetReaderAsync(string lastEventId, CancellationToken cancellationToken) =>
        _api!.GetReaderAsync(Store!, lastEventId, cancellationToken);

    /// <summary>Gets the id of the session the stream <paramref name="reader"/> reads belongs to.</summary>
    public string SessionIdOf(object reader) => _api!.SessionIdOf(reader);

    /// <summary>Writes what the stream <paramref name="reader"/> reads to <paramref name="stream"/>, until that stream ends.</summary>
    public Task ReplayAsync(object reader, Stream stream, CancellationToken cancellationToken) =>
        _api!.ReplayAsync(reader, stream, cancellationToken);
}
