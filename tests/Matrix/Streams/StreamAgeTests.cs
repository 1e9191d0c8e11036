using System.Text;
using McpCompat.Streams;
using Microsoft.Extensions.Time.Testing;

namespace McpCompat.Tests.Streams;

/// <summary>
/// <see cref="McpCompatOptions.MaxStreamAge"/> on a fake clock: a stream that carries event ids ends once it is that old,
/// between events and never during a write; a stream without ids, which no client could resume, is never ended.
/// </summary>
public sealed class StreamAgeTests : IDisposable
{
    private static readonly TimeSpan Age = TimeSpan.FromMinutes(2);
    private readonly FakeTimeProvider _time = new();
    private readonly KeepAliveScheduler _scheduler;

    public StreamAgeTests() => _scheduler = new(Microsoft.Extensions.Options.Options.Create(
        new McpCompatOptions { KeepAliveInterval = TimeSpan.FromSeconds(15), MaxStreamAge = Age }), _time);

    public void Dispose() => _scheduler.Dispose();

    [Theory]
    [InlineData("id: 1\ndata: \n\n")]
    [InlineData("data: {}\nid: 7\n\n")]
    [InlineData("event: message\r\nid: a\r\ndata: x\r\n\r\n")]
    public async Task WithEventIds_EndsOnceOld_NotBefore(string priming)
    {
        using var stream = Started(new MemoryStream());
        await stream.WriteAsync(Encoding.UTF8.GetBytes(priming));

        Advance(Age - _scheduler.Tick);
        Assert.False(stream.Token.IsCancellationRequested);

        Advance(_scheduler.Tick * 2);
        Assert.True(stream.Token.IsCancellationRequested);
        Assert.True(stream.Aged);
        Assert.False(stream.Failed);
    }

    [Fact]
    public async Task WithoutEventIds_NeverEnded()
    {
        using var stream = Started(new MemoryStream());
        await stream.WriteAsync("event: message\ndata: {\"valid\":\"id: 3\"}\n\n"u8.ToArray());

        Advance(Age * 5);

        Assert.False(stream.Token.IsCancellationRequested);
        Assert.False(stream.Aged);
    }

    [Fact]
    public async Task InsideAnEvent_EndedOnlyOnceTheEventIsWhole()
    {
        var inner = new MemoryStream();
        using var stream = Started(inner);
        await stream.WriteAsync("id: 1\ndata: \n\n"u8.ToArray());
        await stream.WriteAsync("id: 2\ndata: {\"half\":"u8.ToArray());

        Advance(Age * 3);
        Assert.False(stream.Token.IsCancellationRequested);

        await stream.WriteAsync("true}\n\n"u8.ToArray());
        Advance(_scheduler.Tick);
        Assert.True(stream.Aged);
        Assert.EndsWith("true}\n\n", Encoding.UTF8.GetString(inner.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteUnderWay_NotEndedUntilItIsDone()
    {
        var inner = new HeldStream();
        using var stream = Started(inner);
        await stream.WriteAsync("id: 1\ndata: \n\n"u8.ToArray());
        inner.Hold();
        var write = stream.WriteAsync("id: 2\ndata: {}\n\n"u8.ToArray()).AsTask();
        await inner.Entered;

        Advance(Age * 2);
        Assert.False(stream.Token.IsCancellationRequested);

        inner.Release();
        await write;
        Advance(_scheduler.Tick);
        Assert.True(stream.Aged);
    }

    [Fact]
    public async Task Disposed_WriterThatOutlivesItsRequest_ReachesNothing()
    {
        var inner = new MemoryStream();
        var stream = Started(inner);
        await stream.WriteAsync("id: 1\ndata: \n\n"u8.ToArray());
        await stream.DisposeAsync();

        // An SDK build that keeps the GET stream's writer after the GET ended writes on: it must not reach the response,
        // which Kestrel may already be reusing for the connection's next request.
        await Assert.ThrowsAsync<ObjectDisposedException>(() => stream.WriteAsync("id: 2\ndata: {}\n\n"u8.ToArray()).AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => stream.FlushAsync());
        Assert.Equal("id: 1\ndata: \n\n", Encoding.UTF8.GetString(inner.ToArray()));
    }

    [Fact]
    public void AgeOff_KeepAlivesOff_NoTimerAtAll()
    {
        using var scheduler = new KeepAliveScheduler(Microsoft.Extensions.Options.Options.Create(
            new McpCompatOptions { KeepAliveInterval = Timeout.InfiniteTimeSpan, MaxStreamAge = Timeout.InfiniteTimeSpan }), _time);
        Assert.False(scheduler.Enabled);

        using var ageOnly = new KeepAliveScheduler(Microsoft.Extensions.Options.Options.Create(
            new McpCompatOptions { KeepAliveInterval = Timeout.InfiniteTimeSpan, MaxStreamAge = Age }), _time);
        Assert.True(ageOnly.Enabled);
        Assert.Equal(Age / 4, ageOnly.Tick);
    }

    private void Advance(TimeSpan by)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < by; elapsed += _scheduler.Tick)
        {
            _time.Advance(_scheduler.Tick);
        }
    }

    private KeepAliveStream Started(Stream inner)
    {
        var stream = new KeepAliveStream(inner, _scheduler, _time, CancellationToken.None);
        stream.Start();
        return stream;
    }

    /// <summary>A stream whose next write, once held, waits until released.</summary>
    private sealed class HeldStream : MemoryStream
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource? _release;

        public Task Entered => _entered.Task;

        public void Hold() => _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _release?.TrySetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_release is { } release)
            {
                _entered.TrySetResult();
                await release.Task.ConfigureAwait(false);
            }

            await base.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
    }
}
