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
            await opened;
            holding.Passed();
        }

        try
        {
            await next(context);
        }
        finally
        {
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

    private sealed class Holding(int count)
    {
        private readonly TaskCompletionSource _allWaiting = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentQueue<TaskCompletionSource> _waiting = new();
        private TaskCompletionSource? _letIn;
        private int _taken;
        private int _toPass;

        public Task AllWaiting => _allWaiting.Task;

        /// <summary>Returns what the request waits for, or <see langword="null"/> when enough are held already.</summary>
        public Task? TryTake()
        {
            var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var taken = Interlocked.Increment(ref _taken);
            if (taken > count)
            {
                return null;
            }

            _waiting.Enqueue(open);
            if (taken == count)
            {
                _allWaiting.TrySetResult();
            }

            return open.Task;
        }

        public Task LetIn(int first)
        {
            _letIn = new(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _toPass, first);
            var letIn = _letIn.Task;
            for (var i = 0; i < first && _waiting.TryDequeue(out var open); i++)
            {
                open.TrySetResult();
            }

            return letIn;
        }

        public void Passed()
        {
            if (Interlocked.Decrement(ref _toPass) == 0)
            {
                _letIn?.TrySetResult();
            }
        }

        public void Open()
        {
            while (_waiting.TryDequeue(out var open))
            {
                open.TrySetResult();
            }
        }
    }
}
