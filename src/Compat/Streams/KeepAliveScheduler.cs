using Microsoft.Extensions.Options;

namespace McpCompat.Streams;

/// <summary>
/// Writes the keep-alive comments of every open SSE stream (GET streams and POST answers) from one timer: each tick (a quarter of
/// <see cref="McpCompatOptions.KeepAliveInterval"/>) looks for the streams quiet for at least the interval and at the
/// end of an event, and has each write one comment. A quiet stream therefore gets a comment every interval to one and a
/// quarter intervals. The same ticks end the GET streams older than <see cref="McpCompatOptions.MaxStreamAge"/> that a
/// client can resume. No timer at all while both are off (<see cref="Timeout.InfiniteTimeSpan"/>) or before the first
/// stream opens.
/// </summary>
internal sealed class KeepAliveScheduler : IDisposable
{
    private readonly TimeProvider _timeProvider;
    private readonly object _lock = new();
    private readonly HashSet<KeepAliveStream> _streams = [];
    private ITimer? _timer;
    private bool _disposed;
    private Task _lastTick = Task.CompletedTask;

    public KeepAliveScheduler(IOptions<McpCompatOptions> options, TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        Interval = options.Value.KeepAliveInterval;
        MaxAge = options.Value.MaxStreamAge;
        var shortest = Interval == Timeout.InfiniteTimeSpan ? MaxAge
            : MaxAge == Timeout.InfiniteTimeSpan ? Interval
            : TimeSpan.FromTicks(Math.Min(Interval.Ticks, MaxAge.Ticks));
        Tick = shortest == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : shortest / 4;
    }

    /// <summary>Gets how long a stream stays quiet before it gets a comment; <see cref="Timeout.InfiniteTimeSpan"/> when off.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Gets how long a resumable stream stays open; <see cref="Timeout.InfiniteTimeSpan"/> when off.</summary>
    public TimeSpan MaxAge { get; }

    /// <summary>Gets a value indicating whether streams are watched at all: keep-alives or an age bound.</summary>
    public bool Enabled => Tick != Timeout.InfiniteTimeSpan;

    /// <summary>Gets how often the timer looks at the streams: a quarter of the shorter of the interval and the age bound.</summary>
    public TimeSpan Tick { get; }

    /// <summary>
    /// Wraps <paramref name="inner"/> in a stream this scheduler keeps alive, on its clock (ended for its age when
    /// <paramref name="ageBounded"/>); it ends with <paramref name="requestAborted"/> and <paramref name="applicationStopping"/>.
    /// </summary>
    public KeepAliveStream Wrap(Stream inner, bool ageBounded, CancellationToken requestAborted, CancellationToken applicationStopping) =>
        new(inner, this, _timeProvider, requestAborted, applicationStopping) { AgeBounded = ageBounded };

    /// <summary>Gets the number of streams watched.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _streams.Count;
            }
        }
    }

    /// <summary>Gets a task that completes when the keep-alives the latest tick started are written (or have given up).</summary>
    internal Task LastTick => Volatile.Read(ref _lastTick);

    /// <summary>Watches <paramref name="stream"/> until <see cref="Remove"/>; starts the timer with the first stream.</summary>
    public void Add(KeepAliveStream stream)
    {
        if (!Enabled)
        {
            return;
        }

        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _streams.Add(stream);
            _timer ??= _timeProvider.CreateTimer(static state => ((KeepAliveScheduler)state!).OnTick(), this, Tick, Tick);
        }
    }

    public void Remove(KeepAliveStream stream)
    {
        lock (_lock)
        {
            _streams.Remove(stream);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _streams.Clear();
            _timer?.Dispose();
        }
    }

    private void OnTick()
    {
        var now = _timeProvider.GetTimestamp();
        List<KeepAliveStream>? due = null;
        List<KeepAliveStream>? old = null;
        lock (_lock)
        {
            foreach (var stream in _streams)
            {
                if (MaxAge != Timeout.InfiniteTimeSpan && stream.AgeBounded && stream.IsOlderThan(now, MaxAge))
                {
                    (old ??= []).Add(stream);
                }
                else if (Interval != Timeout.InfiniteTimeSpan && stream.IsDue(now, Interval))
                {
                    (due ??= []).Add(stream);
                }
            }
        }

        // Outside the lock: a stream that ends, or whose write fails, removes itself.
        foreach (var stream in old ?? [])
        {
            stream.EndIfResumable();
        }

        if (due is null)
        {
            Volatile.Write(ref _lastTick, Task.CompletedTask);
            return;
        }

        var writes = new Task[due.Count];
        for (var i = 0; i < due.Count; i++)
        {
            writes[i] = due[i].KeepAliveAsync();
        }

        Volatile.Write(ref _lastTick, Task.WhenAll(writes));
    }
}
