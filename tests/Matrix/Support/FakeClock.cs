using McpCompat.Streams;
using Microsoft.Extensions.Time.Testing;

namespace McpCompat.Tests.Support;

/// <summary>
/// Moves a <see cref="FakeTimeProvider"/> on tick by tick of a <see cref="KeepAliveScheduler"/> (whose timer exists once
/// a stream is watched), awaiting after each tick the keep-alives it started. No real-time polling: the bound on each
/// await only keeps a broken build from hanging.
/// </summary>
internal static class FakeClock
{
    /// <summary>The bound on awaiting work the clock set off.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    /// <summary>Moves the clock on by <paramref name="ticks"/> of the scheduler's ticks, each tick's keep-alives written before the next.</summary>
    public static async Task TickAsync(this FakeTimeProvider time, KeepAliveScheduler scheduler, int ticks)
    {
        for (var i = 0; i < ticks; i++)
        {
            time.Advance(scheduler.Tick);
            await scheduler.LastTick.WaitAsync(Bound);
        }
    }

    /// <summary>The ticks within which a stream quiet from now gets its keep-alive: an interval, and a tick's lateness.</summary>
    public static int TicksToKeepAlive(this KeepAliveScheduler scheduler) => (int)Math.Ceiling(scheduler.Interval / scheduler.Tick) + 1;

    /// <summary>The ticks within which a stream opened now is old: its age bound, and a tick's lateness.</summary>
    public static int TicksToAge(this KeepAliveScheduler scheduler) => (int)Math.Ceiling(scheduler.MaxAge / scheduler.Tick) + 1;
}
