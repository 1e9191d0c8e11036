using McpCompat.Resumption;
using McpCompat.Sessions;

namespace McpCompat.MapMcpCompat;

/// <summary>
/// One session hosted by <c>MapMcpCompat</c>: the SDK's transport and server, the server's run task, and the
/// tracking entry the sweeper reads. Disposal ends all of it and waits for the run task.
/// </summary>
internal sealed class HostedSession(string id, object transport, object server, UserKey? user, TrackedSession tracked, CancellationTokenSource lifetime)
{
    private const int NoGetStream = 0;
    private const int GetStreamOpen = 1;
    private const int GetStreamEnded = 2;

    private readonly TaskCompletionSource _removed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _getStream;
    private int _disposed;

    public string Id { get; } = id;

    public object Transport { get; } = transport;

    public object Server { get; } = server;

    public UserKey? User { get; } = user;

    public Task RunTask { get; set; } = Task.CompletedTask;

    /// <summary>
    /// Gets or sets what the session needs to come back once evicted, where sessions resume
    /// (<see cref="McpCompatOptions.SessionResumeWindow"/>) and the handshake gave one; <see langword="null"/> otherwise.
    /// </summary>
    public SessionRecord? Record { get; set; }

    /// <summary>Gets or sets the <see cref="TimeProvider"/> timestamp at which <see cref="Record"/> was last written or read.</summary>
    public long RecordTouched { get; set; }

    /// <summary>Gets or sets the latest writing again of <see cref="Record"/> for a session in use, in the background.</summary>
    public Task RecordRefresh { get; set; } = Task.CompletedTask;

    /// <summary>Gets a task that completes once the store no longer hosts the session (it is then being disposed).</summary>
    public Task Removed => _removed.Task;

    /// <summary>Records that the store no longer hosts the session.</summary>
    public void MarkRemoved() => _removed.TrySetResult();

    /// <summary>Gets the session's tracking entry: requests in flight and idle time, read by the sweeper.</summary>
    public TrackedSession Tracked { get; } = tracked;

    /// <summary>
    /// Claims the session's one GET stream. The SDK's transport serves one GET stream per session, ever: once it has
    /// ended, the transport refuses another (it has no resumption).
    /// </summary>
    public GetStreamClaim TryOpenGetStream() => Interlocked.CompareExchange(ref _getStream, GetStreamOpen, NoGetStream) switch
    {
        NoGetStream => GetStreamClaim.Opened,
        GetStreamOpen => GetStreamClaim.AlreadyOpen,
        _ => GetStreamClaim.Ended,
    };

    /// <summary>Records that the session's GET stream has ended, for good.</summary>
    public void CloseGetStream() => Volatile.Write(ref _getStream, GetStreamEnded);

    /// <summary>
    /// Ends the server and the transport (which ends an open GET stream) and their run task, waiting at most
    /// <paramref name="wait"/> for all of it: a disposal that hangs is left to finish in the background.
    /// </summary>
    /// <exception cref="TimeoutException">The session did not end within <paramref name="wait"/>.</exception>
    public async Task DisposeAsync(TimeSpan wait, TimeProvider timeProvider)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await lifetime.CancelAsync().ConfigureAwait(false);
        try
        {
            await EndAsync().WaitAsync(wait, timeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Session {Id} did not end within {wait.TotalSeconds} s; it is left to finish in the background.");
        }
        finally
        {
            lifetime.Dispose();
        }
    }

    private async Task EndAsync()
    {
        if (Transport is IAsyncDisposable transport)
        {
            await transport.DisposeAsync().ConfigureAwait(false);
        }

        if (Server is IAsyncDisposable server)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }

        await RunTask.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
