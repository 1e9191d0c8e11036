using McpCompat.Streams;
using McpCompat.Tests.Support;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace McpCompat.Tests.Streams;

/// <summary><see cref="EventStreamKeeper"/> around a stand-in for the SDK's GET handler, on a fake clock.</summary>
[Trait(SdkIndependent.Trait, SdkIndependent.Value)]
public sealed class EventStreamKeeperTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly KeepAliveScheduler _scheduler;
    private readonly EventStreamKeeper _keeper;

    public EventStreamKeeperTests()
    {
        _scheduler = new KeepAliveScheduler(Microsoft.Extensions.Options.Options.Create(new McpCompatOptions { KeepAliveInterval = TimeSpan.FromSeconds(8) }), _time);
        _keeper = new EventStreamKeeper(_scheduler, _time);
    }

    public void Dispose() => _scheduler.Dispose();

    [Fact]
    public async Task ClientGone_KeepAliveFails_SdkSeesTheRequestAborted_ConnectionClosed_FeaturesRestored()
    {
        var (context, response, lifetime) = Context(new DeadConnectionStream());
        var originalBody = context.Features.Get<IHttpResponseBodyFeature>();
        var sawAbort = false;

        var serving = _keeper.ServeAsync(context, async c =>
        {
            // As the SDK does: an event stream, started, then open until the request is aborted.
            c.Response.ContentType = "text/event-stream";
            await response.StartAsync();
            try
            {
                await Task.Delay(Timeout.Infinite, c.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                sawAbort = true;
            }
        });
        // The response started on this thread: its stream is watched from then.
        Assert.Equal(1, _scheduler.Count);

        await _time.TickAsync(_scheduler, _scheduler.TicksToKeepAlive());
        await serving.WaitAsync(FakeClock.Bound);

        Assert.True(sawAbort);
        Assert.True(lifetime.Aborted);
        Assert.Equal(0, _scheduler.Count);
        Assert.Same(originalBody, context.Features.Get<IHttpResponseBodyFeature>());
        Assert.Same(lifetime, context.Features.Get<IHttpRequestLifetimeFeature>());
    }

    [Fact]
    public async Task NotAnEventStream_NoKeepAlives()
    {
        var inner = new MemoryStream();
        var (context, response, lifetime) = Context(inner);
        var release = new TaskCompletionSource();

        var serving = _keeper.ServeAsync(context, async c =>
        {
            c.Response.ContentType = "application/json";
            await response.StartAsync();
            await release.Task;
        });
        for (var i = 0; i < 12; i++)
        {
            _time.Advance(_scheduler.Tick);
        }

        release.SetResult();
        await serving;
        Assert.Equal(0, inner.Length);
        Assert.False(lifetime.Aborted);
    }

    private static (DefaultHttpContext Context, StartingResponse Response, RecordingLifetime Lifetime) Context(Stream body)
    {
        var context = new DefaultHttpContext();
        var response = new StartingResponse();
        var lifetime = new RecordingLifetime();
        context.Features.Set<IHttpResponseFeature>(response);
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(body));
        context.Features.Set<IHttpRequestLifetimeFeature>(lifetime);
        return (context, response, lifetime);
    }

    /// <summary>A response that runs its OnStarting callbacks when started, as a server does before the headers go out.</summary>
    private sealed class StartingResponse : HttpResponseFeature
    {
        private readonly List<(Func<object, Task> Callback, object State)> _starting = [];

        public override void OnStarting(Func<object, Task> callback, object state) => _starting.Add((callback, state));

        public async Task StartAsync()
        {
            foreach (var (callback, state) in _starting)
            {
                await callback(state);
            }
        }
    }

    private sealed class RecordingLifetime : IHttpRequestLifetimeFeature
    {
        public CancellationToken RequestAborted { get; set; }

        public bool Aborted { get; private set; }

        public void Abort() => Aborted = true;
    }

    /// <summary>A connection whose peer is gone: every write fails the way a reset socket does.</summary>
    private sealed class DeadConnectionStream : MemoryStream
    {
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException(new IOException("Connection reset by peer"));
    }
}
