namespace McpCompat.Tests.Support;

/// <summary>
/// Waits for work the test set off on a background loop it does not own (the SDK's own sweeper) to show its result.
/// Not a timing assertion: the bound only keeps a broken build from hanging.
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
