namespace McpCompat.Tests.Support;

/// <summary>
/// Waits, polling in real time, for work that gives no signal when it is done: the SDK's own sweeper dropping a session
/// it said it closes, an eviction the sweeper stopped waiting for giving up. Wherever the code signals (a returned task,
/// a log record, a metric, <c>SweepOnceAsync</c> on a fake clock), wait for that instead. Not a timing assertion: the
/// bound only keeps a broken build from hanging.
/// </summary>
internal static class Eventually
{
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? bound = null)
    {
        var deadline = DateTime.UtcNow + (bound ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var value = await probe();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds (real time, bounded) and fails the test if it never does.</summary>
    public static async Task TrueAsync(Func<bool> condition, TimeSpan? bound = null)
    {
        var held = await WaitForAsync(() => Task.FromResult(condition()), static held => held, bound);
        Assert.True(held, "The condition did not hold in time.");
    }
}
