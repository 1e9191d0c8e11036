using System.Net.Http.Headers;

namespace CSharpClient;

/// <summary>
/// Sits under the SDK's <see cref="HttpClient"/>: counts the GET streams opened, signals when the first one's headers
/// arrive, and passes each GET stream's bytes through an <see cref="SseTally"/> on their way to the SDK.
/// </summary>
public sealed class GetStreamTap : DelegatingHandler
{
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _getStreams;

    public GetStreamTap()
        : base(new SocketsHttpHandler())
    {
    }

    public SseTally Tally { get; } = new();

    /// <summary>Gets a task that completes when a GET stream's response headers have arrived.</summary>
    public Task Opened => _opened.Task;

    public int GetStreams => Volatile.Read(ref _getStreams);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (request.Method != HttpMethod.Get || !response.IsSuccessStatusCode)
        {
            return response;
        }

        var inner = await response.Content.ReadAsStreamAsync(cancellationToken);
        var content = new StreamContent(new ReadTapStream(inner, Tally.Add));
        foreach (var header in response.Content.Headers)
        {
            content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        content.Headers.ContentType ??= new MediaTypeHeaderValue("text/event-stream");
        response.Content = content;
        Interlocked.Increment(ref _getStreams);
        _opened.TrySetResult();
        return response;
    }
}
