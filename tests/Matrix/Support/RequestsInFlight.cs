using Microsoft.AspNetCore.Builder;

namespace McpCompat.Tests.Support;

/// <summary>
/// Counts the requests inside the application's pipeline, around its MCP endpoint, and signals when none is: a client
/// has its answer before the server has finished the request (McpCompat counts the request out after that), and a
/// stream the client closed ends on the server only once Kestrel has noticed the connection closed.
/// </summary>
internal sealed class RequestsInFlight
{
    private readonly object _lock = new();
    private int _count;
    private TaskCompletionSource _none = Completed();

    /// <summary>Counts every request from here on in the pipeline of <paramref name="app"/>.</summary>
    public void Watch(IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        lock (_lock)
        {
            if (_count++ == 0)
            {
                _none = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        try
        {
            await next(context);
        }
        finally
        {
            lock (_lock)
            {
                if (--_count == 0)
                {
                    _none.TrySetResult();
                }
            }
        }
    });

    /// <summary>Returns a task that completes when no request is in the pipeline, maybe already; bounded, so a broken build fails.</summary>
    public Task NoneAsync()
    {
        lock (_lock)
        {
            return _none.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }
}
