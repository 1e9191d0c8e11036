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
        var content = new StreamContent(new TappedStream(inner, Tally));
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

    private sealed class TappedStream(Stream inner, SseTally tally) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            tally.Add(buffer.Span[..read]);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            tally.Add(buffer.AsSpan(offset, read));
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
