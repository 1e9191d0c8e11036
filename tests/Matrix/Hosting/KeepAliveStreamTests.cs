using System.Collections.Concurrent;
using System.Text;
using McpCompat.Hosting;
using McpCompat.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace McpCompat.Tests.Hosting;

public sealed class KeepAliveStreamTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task QuietStream_GetsCommentEachInterval()
    {
        var inner = new TimedStream(_time);
        using var stream = new KeepAliveStream(inner, _time, Interval, CancellationToken.None);
        var opened = _time.GetUtcNow();
        var run = stream.RunAsync();

        var first = await _time.AdvanceUntilAsync(inner.WrittenAsync(1), Step);
        var second = await _time.AdvanceUntilAsync(inner.WrittenAsync(2), Step);

        stream.Stop();
        await run;
        Assert.True(first - opened >= Interval, $"first comment after {first - opened}");
        Assert.True(second - first >= Interval, $"second comment {second - first} after the first");
        Assert.Equal(": keep-alive\n\n: keep-alive\n\n", Encoding.UTF8.GetString(inner.ToArray()));
    }

    [Fact]
    public async Task Writes_PostponeTheNextComment()
    {
        var inner = new TimedStream(_time);
        using var stream = new KeepAliveStream(inner, _time, Interval, CancellationToken.None);
        var run = stream.RunAsync();

        _time.Advance(TimeSpan.FromSeconds(10));
        await stream.WriteAsync(Encoding.UTF8.GetBytes("event: message\n\n"));
        var written = await inner.WrittenAsync(1);

        // The comment comes a whole interval after the write, not one interval after the stream opened.
        var comment = await _time.AdvanceUntilAsync(inner.WrittenAsync(2), Step);

        stream.Stop();
        await run;
        Assert.True(comment - written >= Interval, $"comment {comment - written} after the write");
        Assert.Equal("event: message\n\n: keep-alive\n\n", Encoding.UTF8.GetString(inner.ToArray()));
    }

    [Fact]
    public async Task DeadClient_WriteFails_TokenCancelled()
    {
        using var stream = new KeepAliveStream(new DeadConnectionStream(), _time, Interval, CancellationToken.None);
        var run = stream.RunAsync();
        Assert.False(stream.Token.IsCancellationRequested);

        _time.Advance(Interval);
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(stream.Token.IsCancellationRequested);
    }

    [Fact]
    public async Task InfiniteInterval_NoKeepAlives()
    {
        var inner = new MemoryStream();
        using var stream = new KeepAliveStream(inner, _time, Timeout.InfiniteTimeSpan, CancellationToken.None);

        await stream.RunAsync();
        _time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(0, inner.Length);
        Assert.False(stream.Token.IsCancellationRequested);
    }

    [Fact]
    public async Task RequestAborted_EndsTheLoop()
    {
        using var aborted = new CancellationTokenSource();
        using var stream = new KeepAliveStream(new MemoryStream(), _time, Interval, aborted.Token);
        var run = stream.RunAsync();

        await aborted.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(stream.Token.IsCancellationRequested);
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

    /// <summary>A connection whose peer is gone: every write fails the way a reset socket does.</summary>
    private sealed class DeadConnectionStream : MemoryStream
    {
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException(new IOException("Connection reset by peer"));
    }
}
