using System.Text;

namespace McpCompat.Streams;

/// <summary>
/// The response stream of an open SSE stream: a GET stream, or a POST's answer sent as events (a long call's, a
/// <c>subscriptions/listen</c> stream's). Writes are serialized; while the stream is quiet,
/// <see cref="KeepAliveScheduler"/> has it write an SSE comment, only at the end of an event (never inside one) and
/// never while another write is under way. A write that fails (the client is gone, even if it never closed its
/// connection) cancels <see cref="Token"/>, which ends the stream so that its session becomes idle; so do the request
/// being aborted and <see cref="Stop"/>.
/// </summary>
internal sealed partial class KeepAliveStream : Stream
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
    private long _started;
    private int _startCalled;
    private uint _tail = Opened;
    private int _failed;
    private int _aged;
    private bool _carriesIds;
    private bool _closed;

    public KeepAliveStream(Stream inner, KeepAliveScheduler scheduler, TimeProvider timeProvider, CancellationToken requestAborted, CancellationToken applicationStopping = default)
    {
        _inner = inner;
        _scheduler = scheduler;
        _timeProvider = timeProvider;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, applicationStopping);
        _token = _stop.Token;
        _lastWrite = timeProvider.GetTimestamp();
    }

    /// <summary>
    /// Gets a value indicating whether <see cref="McpCompatOptions.MaxStreamAge"/> ends the stream: a GET stream, which a
    /// client resumes; never a POST's answer, whose call it would cut.
    /// </summary>
    public bool AgeBounded { get; init; } = true;

    /// <summary>Gets the token that ends the stream: the request was aborted, the application is stopping, a keep-alive could not be written, or <see cref="Stop"/>.</summary>
    public CancellationToken Token => _token;

    /// <summary>Gets a value indicating whether a keep-alive could not be written: the client is gone.</summary>
    public bool Failed => Volatile.Read(ref _failed) == 1;

    /// <summary>Gets a value indicating whether the stream was ended for its age (<see cref="McpCompatOptions.MaxStreamAge"/>).</summary>
    public bool Aged => Volatile.Read(ref _aged) == 1;

    /// <summary>
    /// Starts the keep-alives, counting quiet time and age from now; call once the response is an event stream (started,
    /// or with its headers set). Later calls do nothing.
    /// </summary>
    public void Start()
    {
        if (_token.IsCancellationRequested || Interlocked.Exchange(ref _startCalled, 1) != 0)
        {
            return;
        }

        var now = _timeProvider.GetTimestamp();
        Interlocked.Exchange(ref _lastWrite, now);
        Interlocked.Exchange(ref _started, now);
        _scheduler.Add(this);
        if (_token.IsCancellationRequested)
        {
            // Ended meanwhile: its own removal may have come first.
            _scheduler.Remove(this);
        }
    }

    /// <summary>Gets a value indicating whether the stream has been open for <paramref name="age"/> or longer.</summary>
    internal bool IsOlderThan(long now, TimeSpan age) => _timeProvider.GetElapsedTime(Interlocked.Read(ref _started), now) >= age;

    /// <summary>
    /// Ends the stream for its age when a client can resume it (an event id has been written) and it is between events
    /// with no write under way; otherwise leaves it for a later tick. Never throws.
    /// </summary>
    internal void EndIfResumable()
    {
        if (_token.IsCancellationRequested || !Volatile.Read(ref _carriesIds) || !_gate.Wait(0))
        {
            return;
        }

        try
        {
            if (!AtEventEnd(_tail))
            {
                return;
            }

            // Ended while the gate is held: a write waiting for it sees the token cancelled and writes nothing.
            Volatile.Write(ref _aged, 1);
            _scheduler.Remove(this);
            TryCancel();
        }
        finally
        {
            _gate.Release();
        }
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
            if (_closed || !AtEventEnd(_tail))
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

    /// <remarks>
    /// The caller's token is honoured until the write starts; the write itself is cancelled only by the stream's own
    /// <see cref="Token"/> (the client gone, the stream ended). A response write cancelled half-way leaves the response
    /// in no state to go on, and Kestrel then resets the connection: an SDK that cancels its writes when a session ends
    /// would otherwise cut a call's answer instead of letting McpCompat end it with an error the client can read.
    /// </remarks>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfClosed();
            cancellationToken.ThrowIfCancellationRequested();
            await _inner.WriteAsync(buffer, _token).ConfigureAwait(false);
            if (!_carriesIds && HasEventId(_tail, buffer.Span))
            {
                Volatile.Write(ref _carriesIds, true);
            }

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
            ThrowIfClosed();
            cancellationToken.ThrowIfCancellationRequested();
            await _inner.FlushAsync(_token).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Closes the stream once no write is under way: nothing written afterwards reaches the response. A writer that
    /// outlives its request (an SDK build whose transport keeps the GET stream's writer after the GET ended) must not
    /// write into the response of whatever request the connection serves next.
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            Close(disposing: true);
        }
        finally
        {
            _gate.Release();
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gate.Wait();
            try
            {
                Close(disposing);
            }
            finally
            {
                _gate.Release();
            }
        }

        base.Dispose(disposing);
    }

    // Called with the gate held. The gate itself is not disposed: a keep-alive the scheduler started may still release it.
    private void Close(bool disposing)
    {
        if (_closed || !disposing)
        {
            return;
        }

        _closed = true;
        _scheduler.Remove(this);
        TryCancel();
        _stop.Dispose();
    }

    private void ThrowIfClosed() => ObjectDisposedException.ThrowIf(_closed, this);

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
