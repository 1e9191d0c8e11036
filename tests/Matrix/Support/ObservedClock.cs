using Microsoft.Extensions.Time.Testing;

namespace McpCompat.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that signals the timers created on it: for a loop the test does not own (the SDK's
/// own sweeper) whose timer is created on another thread after the host has started, so that the test moves the clock
/// only once that timer exists.
/// </summary>
internal sealed class ObservedClock : FakeTimeProvider
{
    private readonly object _lock = new();
    private readonly List<TimeSpan> _periods = [];
    private readonly List<(TimeSpan Period, TaskCompletionSource Created)> _waiting = [];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (_lock)
        {
            _periods.Add(period);
            foreach (var waiting in _waiting.Where(w => w.Period == period).ToList())
            {
                waiting.Created.TrySetResult();
                _waiting.Remove(waiting);
            }
        }

        return timer;
    }

    /// <summary>Returns a task that completes once a periodic timer of <paramref name="period"/> has been created, maybe already.</summary>
    public Task TimerCreatedAsync(TimeSpan period)
    {
        lock (_lock)
        {
            if (_periods.Contains(period))
            {
                return Task.CompletedTask;
            }

            var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Add((period, created));
            return created.Task;
        }
    }
}
