using System.Text;
using McpCompat.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace McpCompat.Tests.Hosting;

public sealed class KeepAliveStreamTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task QuietStream_GetsCommentEachInterval()
    {
        var inner = new MemoryStream();
        using var stream = new KeepAliveStream(inner, _time, Interval, CancellationToken.None);
        var run = stream.RunAsync();

        _time.Advance(Interval - TimeSpan.FromSeconds(1));
        await Task.Yield();
        Assert.Equal(0, inner.Length);

        _time.Advance(TimeSpan.FromSeconds(1));
        await WaitForLengthAsync(inner, 1);
        _time.Advance(Interval);
        await WaitForLengthAsync(inner, 2 * ": keep-alive\n\n".Length);

        stream.Stop();
        await run;
        Assert.Equal(": keep-alive\n\n: keep-alive\n\n", Encoding.UTF8.GetString(inner.ToArray()));
    }

    [Fact]
    public async Task Writes_PostponeTheNextComment()
    {
        var inner = new MemoryStream();
        using var stream = new KeepAliveStream(inner, _time, Interval, CancellationToken.None);
        var run = stream.RunAsync();

        _time.Advance(TimeSpan.FromSeconds(10));
        await stream.WriteAsync(Encoding.UTF8.GetBytes("event: message\n\n"));
        _time.Advance(TimeSpan.FromSeconds(10));
        await Task.Delay(50);

        stream.Stop();
        await run;
        Assert.Equal("event: message\n\n", Encoding.UTF8.GetString(inner.ToArray()));
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

    private static async Task WaitForLengthAsync(MemoryStream stream, long length)
    {
        await Support.Eventually.WaitForAsync(() => Task.FromResult(stream.Length), l => l >= length);
        Assert.True(stream.Length >= length);
    }

    /// <summary>A connection whose peer is gone: every write fails the way a reset socket does.</summary>
    private sealed class DeadConnectionStream : MemoryStream
    {
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException(new IOException("Connection reset by peer"));
    }
}
