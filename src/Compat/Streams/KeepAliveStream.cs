using System.Text;

namespace McpCompat.Streams;

/// <summary>
/// The response stream of an open GET (SSE) stream. Writes are serialized; while the stream is quiet,
/// <see cref="KeepAliveScheduler"/> has it write an SSE comment, only at the end of an event (never inside one) and
/// never while another write is under way. A write that fails (the client is gone, even if it never closed its
/// connection) cancels <see cref="Token"/>, which ends the stream so that its session becomes idle; so do the request
/// being aborted and <see cref="Stop"/>.
/// </summary>
internal sealed class KeepAliveStream : Stream
{
    private static readonly ReadOnlyMemory<byte> Comment = Encoding.UTF8.GetBytes(": keep-alive\n\n");

    // The last four bytes written, oldest first (0x0A0A: the stream opens at an event boundary).
    private const uint Opened = 0x0A0A;

    private readonly Stream _inner;
    private readonly KeepAliveScheduler _scheduler;
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop;
    private readonly CancellationToken _token;
    private long _lastWrite;
    private uint _tail = Opened;
    private int _failed;

    public KeepAliveStream(Stream inner, KeepAliveScheduler scheduler, TimeProvider timeProvider, CancellationToken requestAborted, CancellationToken applicationStopping = default)
    {
        _inner = inner;
        _scheduler = scheduler;
        _timeProvider = timeProvider;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, applicationStopping);
        _token = _stop.Token;
        _lastWrite = timeProvider.GetTimestamp();
    }

    /// <summary>Gets the token that ends the stream: the request was aborted, the application is stopping, a keep-alive could not be written, or <see cref="Stop"/>.</summary>
    public CancellationToken Token => _token;

    /// <summary>Gets a value indicating whether a keep-alive could not be written: the client is gone.</summary>
    public bool Failed => Volatile.Read(ref _failed) == 1;

    /// <summary>Starts the keep-alives, counting quiet time from now; call once the response has started.</summary>
    public void Start()
    {
        Interlocked.Exchange(ref _lastWrite, _timeProvider.GetTimestamp());
        _scheduler.Add(this);
    }

    /// <summary>Ends the stream: keep-alives stop and <see cref="Token"/> is cancelled.</summary>
    public void Stop()
    {
        _scheduler.Remove(this);
        TryCancel();
    }

    /// <summary>Gets a value indicating whether the stream has been quiet for <paramref name="interval"/> at the end of an event.</summary>
    internal bool IsDue(long now, TimeSpan interval) =>
        AtEventEnd(Volatile.Read(ref _tail)) && _timeProvider.GetElapsedTime(Interlocked.Read(ref _lastWrite), now) >= interval;

    /// <summary>Writes one comment if the stream is still quiet, at the end of an event and not being written; never throws.</summary>
    internal async Task KeepAliveAsync()
    {
        if (_token.IsCancellationRequested || !_gate.Wait(0))
        {
            // Ended, or being written: a busy stream needs no keep-alive.
            return;
        }

        var failed = false;
        try
        {
            if (!AtEventEnd(_tail))
            {
                return;
            }

            await _inner.WriteAsync(Comment, _token).ConfigureAwait(false);
            await _inner.FlushAsync(_token).ConfigureAwait(false);
            Interlocked.Exchange(ref _lastWrite, _timeProvider.GetTimestamp());
        }
        catch (OperationCanceledException)
        {
            // The stream ended meanwhile.
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            failed = true;
        }
        finally
        {
            _gate.Release();
        }

        if (failed)
        {
            // The client is gone: end the stream (outside the gate: whatever the end sets off may write).
            Volatile.Write(ref _failed, 1);
            _scheduler.Remove(this);
            TryCancel();
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _tail, Shift(_tail, buffer.Span));
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
            _scheduler.Remove(this);
            _stop.Dispose();

            // The gate is not disposed: a keep-alive the scheduler started may still release it.
        }

        base.Dispose(disposing);
    }

    /// <summary>An SSE event ends with a blank line: LF LF, CR CR or CR LF CR LF.</summary>
    private static bool AtEventEnd(uint tail) => (tail & 0xFFFF) is 0x0A0A or 0x0D0D || tail == 0x0D0A0D0A;

    private static uint Shift(uint tail, ReadOnlySpan<byte> written)
    {
        foreach (var b in written.Length > 4 ? written[^4..] : written)
        {
            tail = (tail << 8) | b;
        }

        return tail;
    }

    private void TryCancel()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed: nothing left to end.
        }
    }
}
