using Microsoft.Extensions.Time.Testing;

namespace McpCompat.Tests.Support;

/// <summary>
/// Moves a <see cref="FakeTimeProvider"/> on until a task completes: for bounded waits whose timer is created on
/// another thread, possibly after a single advance would already have happened. Not a timing assertion: the real-time
/// bound only keeps a broken build from hanging.
/// </summary>
internal static class FakeClock
{
    public static async Task AdvanceUntilAsync(this FakeTimeProvider time, Task task, TimeSpan step)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!task.IsCompleted && DateTime.UtcNow < deadline)
        {
            time.Advance(step);
            await Task.WhenAny(task, Task.Delay(20));
        }

        Assert.True(task.IsCompleted, "The task did not complete however far the clock moved.");
        await task;
    }

    public static async Task<T> AdvanceUntilAsync<T>(this FakeTimeProvider time, Task<T> task, TimeSpan step)
    {
        await AdvanceUntilAsync(time, (Task)task, step);
        return await task;
    }
}
