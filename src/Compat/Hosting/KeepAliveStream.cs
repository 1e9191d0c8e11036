using System.Text;

namespace McpCompat.Hosting;

/// <summary>
/// The response stream of an open GET (SSE) stream: writes are serialized, and while the stream is quiet an SSE
/// comment is written every interval. A write that fails — the client is gone, even if it never closed its
/// connection — cancels <see cref="Token"/>, which ends the stream so that its session becomes idle; so does the
/// application stopping.
/// </summary>
internal sealed class KeepAliveStream : Stream
{
    private static readonly ReadOnlyMemory<byte> Comment = Encoding.UTF8.GetBytes(": keep-alive\n\n");

    private readonly Stream _inner;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _interval;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop;
    private long _lastWrite;

    public KeepAliveStream(Stream inner, TimeProvider timeProvider, TimeSpan interval, CancellationToken requestAborted, CancellationToken applicationStopping = default)
    {
        _inner = inner;
        _timeProvider = timeProvider;
        _interval = interval;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, applicationStopping);
        _lastWrite = timeProvider.GetTimestamp();
    }

    /// <summary>
    /// Gets the token that ends the stream: the request was aborted, the application is stopping, or a keep-alive could
    /// not be written.
    /// </summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>Ends the stream: keep-alives stop and <see cref="Token"/> is cancelled. Await <see cref="RunAsync"/> before disposing.</summary>
    public void Stop() => _stop.Cancel();

    /// <summary>Writes keep-alives until the stream ends; never throws.</summary>
    public async Task RunAsync()
    {
        if (_interval == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var quiet = _timeProvider.GetElapsedTime(Interlocked.Read(ref _lastWrite));
                var wait = _interval - quiet;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _timeProvider, _stop.Token).ConfigureAwait(false);
                    continue;
                }

                await WriteAsync(Comment, _stop.Token).ConfigureAwait(false);
                await FlushAsync(_stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The stream ended.
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The client is gone: end the stream.
            await _stop.CancelAsync().ConfigureAwait(false);
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            Interlocked.Exchange(ref _lastWrite, _timeProvider.GetTimestamp());
        }
        finally
        {
            _gate.Release();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stop.Dispose();
            _gate.Dispose();
        }

        base.Dispose(disposing);
    }
}
