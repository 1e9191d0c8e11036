using System.Collections.Concurrent;
using System.Text;
using McpCompat.Streams;
using McpCompat.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace McpCompat.Tests.Streams;

/// <summary><see cref="KeepAliveStream"/> and <see cref="KeepAliveScheduler"/> on a fake clock.</summary>
public sealed class KeepAliveStreamTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(16);
    private readonly FakeTimeProvider _time = new();
    private readonly KeepAliveScheduler _scheduler;

    public KeepAliveStreamTests() => _scheduler = Scheduler(Interval);

    public void Dispose() => _scheduler.Dispose();

    [Fact]
    public async Task QuietStream_GetsCommentEveryIntervalToAnIntervalAndAQuarter()
    {
        var inner = new TimedStream(_time);
        using var stream = Started(inner);
        var opened = _time.GetUtcNow();

        await _time.TickAsync(_scheduler, _scheduler.TicksToKeepAlive());
        var first = await inner.WrittenAsync(1).WaitAsync(FakeClock.Bound);
        await _time.TickAsync(_scheduler, _scheduler.TicksToKeepAlive());
        var second = await inner.WrittenAsync(2).WaitAsync(FakeClock.Bound);

        Assert.InRange(first - opened, Interval, Interval + _scheduler.Tick);
        Assert.InRange(second - first, Interval, Interval + _scheduler.Tick);
        Assert.Equal(": keep-alive\n\n: keep-alive\n\n", Encoding.UTF8.GetString(inner.ToArray()));
    }

    [Fact]
    public async Task Writes_PostponeTheNextComment()
    {
        var inner = new TimedStream(_time);
        using var stream = Started(inner);

        _time.Advance(TimeSpan.FromSeconds(12));
        await stream.WriteAsync(Encoding.UTF8.GetBytes("event: message\ndata: {}\n\n"));
        var written = await inner.WrittenAsync(1);
        await _time.TickAsync(_scheduler, _scheduler.TicksToKeepAlive());
        var comment = await inner.WrittenAsync(2).WaitAsync(FakeClock.Bound);

        // A whole interval after the write, not one interval after the stream opened.
        Assert.True(comment - written >= Interval, $"comment {comment - written} after the write");
        Assert.Equal("event: message\ndata: {}\n\n: keep-alive\n\n", Encoding.UTF8.GetString(inner.ToArray()));
    }

    [Theory]
    [InlineData("event: message\n")]
    [InlineData("event: message\ndata: {\"a\":")]
    [InlineData("data: x\r\n")]
    public void InsideAnEvent_NoComment_HoweverLongItIsQuiet(string partial)
    {
        var inner = new MemoryStream();
        using var stream = Started(inner);
        stream.Write(Encoding.UTF8.GetBytes(partial));

        for (var i = 0; i < 20; i++)
        {
            _time.Advance(_scheduler.Tick);
        }

        Assert.Equal(partial, Encoding.UTF8.GetString(inner.ToArray()));
    }

    [Theory]
    [InlineData("data: x\n\n")]
    [InlineData("data: x\r\n\r\n")]
    [InlineData("data: x\r\r")]
    public async Task AfterAnEvent_WhateverItsLineEnds_Comment(string ended)
    {
        var inner = new TimedStream(_time);
        using var stream = Started(inner);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(ended));

        await _time.TickAsync(_scheduler, _scheduler.TicksToKeepAlive());
        await inner.WrittenAsync(2).WaitAsync(FakeClock.Bound);

        Assert.Equal(ended + ": keep-alive\n\n", Encoding.UTF8.GetString(inner.ToArray()));
    }

    [Fact]
    public async Task WriteUnderWay_CommentWaitsForTheNextTick_NeverInterleaves()
    {
        var inner = new GatedStream();
        using var stream = Started(inner);
        var writing = stream.WriteAsync(Encoding.UTF8.GetBytes("data: x\n\n")).AsTask();
        await inner.Entered;

        // Quiet long enough by the clock, but a write holds the stream: each tick passes it by. The fake clock runs
        // the timer on this thread and a keep-alive starts its write before it first waits, so a comment the tick
        // let through has reached the inner stream by the time Advance returns.
        for (var i = 0; i < 8; i++)
        {
            _time.Advance(_scheduler.Tick);
        }

        Assert.Equal(1, inner.WritesStarted);
        inner.Release();
        await writing;
        Assert.Equal(1, inner.WritesStarted);
        Assert.Equal("data: x\n\n", Encoding.UTF8.GetString(inner.ToArray()));

        // The comment comes on a later tick, after the event.
        await _time.TickAsync(_scheduler, _scheduler.TicksToKeepAlive());
        await inner.SecondWritten.WaitAsync(FakeClock.Bound);
        Assert.Equal("data: x\n\n: keep-alive\n\n", Encoding.UTF8.GetString(inner.ToArray()));
    }

    [Fact]
    public async Task DeadClient_CommentFails_TokenCancelledAndFailed_StreamNoLongerWatched()
    {
        using var stream = Started(new DeadConnectionStream());
        Assert.False(stream.Token.IsCancellationRequested);
        Assert.Equal(1, _scheduler.Count);

        // The failed comment ends the stream before the tick's keep-alive is done.
        await _time.TickAsync(_scheduler, _scheduler.TicksToKeepAlive());

        Assert.True(stream.Token.IsCancellationRequested);
        Assert.True(stream.Failed);
        Assert.Equal(0, _scheduler.Count);
    }

    [Fact]
    public void KeepAlivesOff_NoTimerNoComment()
    {
        using var scheduler = Scheduler(Timeout.InfiniteTimeSpan);
        var inner = new MemoryStream();
        using var stream = new KeepAliveStream(inner, scheduler, _time, CancellationToken.None);
        stream.Start();

        _time.Advance(TimeSpan.FromHours(1));

        Assert.False(scheduler.Enabled);
        Assert.Equal(0, scheduler.Count);
        Assert.Equal(0, inner.Length);
        Assert.False(stream.Token.IsCancellationRequested);
    }

    [Fact]
    public void Stop_CancelsAndForgets()
    {
        using var stream = Started(new MemoryStream());

        stream.Stop();

        Assert.True(stream.Token.IsCancellationRequested);
        Assert.False(stream.Failed);
        Assert.Equal(0, _scheduler.Count);
    }

    [Fact]
    public async Task ThousandStreams_OneTimer_EachGetsItsComment()
    {
        var inners = Enumerable.Range(0, 1000).Select(_ => new TimedStream(_time)).ToList();
        var streams = inners.Select(Started).ToList();

        await _time.TickAsync(_scheduler, _scheduler.TicksToKeepAlive());
        await Task.WhenAll(inners.Select(i => i.WrittenAsync(1))).WaitAsync(FakeClock.Bound);

        Assert.Equal(1000, _scheduler.Count);
        Assert.All(inners, i => Assert.Equal(": keep-alive\n\n", Encoding.UTF8.GetString(i.ToArray())));
        streams.ForEach(s => s.Dispose());
        Assert.Equal(0, _scheduler.Count);
    }

    [Fact]
    public void RequestAborted_CancelsTheToken()
    {
        using var aborted = new CancellationTokenSource();
        using var stream = new KeepAliveStream(new MemoryStream(), _scheduler, _time, aborted.Token);

        aborted.Cancel();

        Assert.True(stream.Token.IsCancellationRequested);
    }

    private KeepAliveScheduler Scheduler(TimeSpan interval) =>
        new(Microsoft.Extensions.Options.Options.Create(new McpCompatOptions { KeepAliveInterval = interval }), _time);

    private KeepAliveStream Started(Stream inner)
    {
        var stream = new KeepAliveStream(inner, _scheduler, _time, CancellationToken.None);
        stream.Start();
        return stream;
    }

    /// <summary>Records when, on the fake clock, each write happened, and signals it.</summary>
    private sealed class TimedStream(TimeProvider time) : MemoryStream
    {
        private readonly ConcurrentDictionary<int, TaskCompletionSource<DateTimeOffset>> _writes = new();
        private int _count;

        /// <summary>Completes with the time of the <paramref name="n"/>th write (from 1).</summary>
        public Task<DateTimeOffset> WrittenAsync(int n) => Write(n).Task;

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await base.WriteAsync(buffer, cancellationToken);
            Write(Interlocked.Increment(ref _count)).TrySetResult(time.GetUtcNow());
        }

        private TaskCompletionSource<DateTimeOffset> Write(int n) =>
            _writes.GetOrAdd(n, _ => new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    /// <summary>A stream whose first write waits until the test releases it; it counts the writes begun, held or not.</summary>
    private sealed class GatedStream : MemoryStream
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _secondWritten = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _started;

        public Task Entered => _entered.Task;

        /// <summary>Gets a task that completes once a second write has been written.</summary>
        public Task SecondWritten => _secondWritten.Task;

        public int WritesStarted => Volatile.Read(ref _started);

        public void Release() => _release.TrySetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = Interlocked.Increment(ref _started);
            if (n == 1)
            {
                _entered.TrySetResult();
                await _release.Task;
            }

            await base.WriteAsync(buffer, cancellationToken);
            if (n == 2)
            {
                _secondWritten.TrySetResult();
            }
        }
    }

    /// <summary>A connection whose peer is gone: every write fails the way a reset socket does.</summary>
    private sealed class DeadConnectionStream : MemoryStream
    {
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException(new IOException("Connection reset by peer"));
    }
}
