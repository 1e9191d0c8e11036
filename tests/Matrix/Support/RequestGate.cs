using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace McpCompat.Tests.Support;

/// <summary>
/// Middleware at the very front of a test server's pipeline: it holds requests at the door until the test lets them
/// all in at once, and tells when a request has come back out, after everything behind it (McpCompat's request
/// counting included) has finished with it. <see cref="Register"/> it before McpCompat.
/// </summary>
internal sealed class RequestGate : IStartupFilter
{
    private readonly Lock _gate = new();
    private readonly List<(Func<HttpRequest, bool> Match, TaskCompletionSource Done)> _watches = [];
    private Holding? _holding;
    private int _atDoor;
    private int _inside;

    /// <summary>Registers the gate; of the startup filters, the first registered sits outermost.</summary>
    public void Register(IServiceCollection services) => services.AddSingleton<IStartupFilter>(this);

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(InvokeAsync);
        next(app);
    };

    /// <summary>Holds the next <paramref name="count"/> requests at the door; completes when all of them wait there.</summary>
    public Task HoldAsync(int count)
    {
        var holding = new Holding(count);
        lock (_gate)
        {
            _holding = holding;
        }

        return holding.AllWaiting;
    }

    /// <summary>
    /// Lets in the <paramref name="count"/> held requests that arrived first; completes once they are past the door,
    /// inside whatever follows it. The others keep waiting.
    /// </summary>
    public Task LetInAsync(int count)
    {
        lock (_gate)
        {
            return _holding?.LetIn(count) ?? throw new InvalidOperationException("No request is held.");
        }
    }

    /// <summary>Lets the held requests in together; the requests after them pass freely.</summary>
    public void Release()
    {
        Holding? holding;
        lock (_gate)
        {
            holding = _holding;
            _holding = null;
        }

        holding?.Open();
    }

    /// <summary>Where the requests not yet answered are: still at the door of the last hold, or inside the server.</summary>
    public string Describe() => $"{Volatile.Read(ref _atDoor)} held at the test's door, {Volatile.Read(ref _inside)} inside the server";

    /// <summary>Completes when a request that <paramref name="match"/> accepts has come back out of the pipeline.</summary>
    public Task EndedAsync(Func<HttpRequest, bool> match)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _watches.Add((match, done));
        }

        return done.Task;
    }

    private async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        Holding? holding;
        lock (_gate)
        {
            holding = _holding;
        }

        if (holding?.TryTake() is { } opened)
        {
            Interlocked.Increment(ref _atDoor);
            await opened;
            Interlocked.Decrement(ref _atDoor);
            holding.Passed();
        }

        Interlocked.Increment(ref _inside);
        try
        {
            await next(context);
        }
        finally
        {
            Interlocked.Decrement(ref _inside);
            lock (_gate)
            {
                foreach (var watch in _watches.Where(w => w.Match(context.Request)).ToList())
                {
                    _watches.Remove(watch);
                    watch.Done.TrySetResult();
                }
            }
        }
    }

    /// <summary>
    /// The requests held in one <see cref="HoldAsync"/>. Counting a request in and queueing it happen under one lock:
    /// when they were two steps, a request counted in but not yet queued when the gate opened was never let in, and
    /// stayed at the door for good (one request in about three hundred rounds of 500 on a busy machine).
    /// </summary>
    private sealed class Holding(int count)
    {
        private readonly Lock _lock = new();
        private readonly TaskCompletionSource _allWaiting = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Queue<TaskCompletionSource> _waiting = new();
        private TaskCompletionSource? _letIn;
        private int _taken;
        private int _toPass;
        private bool _open;

        public Task AllWaiting => _allWaiting.Task;

        /// <summary>Returns what the request waits for, or <see langword="null"/> when enough are held already.</summary>
        public Task? TryTake()
        {
            lock (_lock)
            {
                if (_open || _taken == count)
                {
                    return null;
                }

                var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting.Enqueue(open);
                if (++_taken == count)
                {
                    _allWaiting.TrySetResult();
                }

                return open.Task;
            }
        }

        public Task LetIn(int first)
        {
            lock (_lock)
            {
                _letIn = new(TaskCreationOptions.RunContinuationsAsynchronously);
                _toPass = first;
                for (var i = 0; i < first && _waiting.TryDequeue(out var open); i++)
                {
                    open.TrySetResult();
                }

                return _letIn.Task;
            }
        }

        public void Passed()
        {
            lock (_lock)
            {
                if (--_toPass == 0)
                {
                    _letIn?.TrySetResult();
                }
            }
        }

        public void Open()
        {
            lock (_lock)
            {
                _open = true;
                while (_waiting.TryDequeue(out var open))
                {
                    open.TrySetResult();
                }
            }
        }
    }
}
