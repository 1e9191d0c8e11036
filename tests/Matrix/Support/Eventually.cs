namespace McpCompat.Tests.Support;

/// <summary>
/// Waits, polling in real time, for work that gives no signal when it is done and that McpCompat does not own: the SDK's
/// own sweeper dropping a session it said it closes, the SDK's tool writing its result into its own store, a request's
/// first bytes crossing a real socket, a collection. Wherever the code signals (a returned task, a log record, a metric,
/// <c>SweepOnceAsync</c> on a fake clock), wait for that instead; each use says why it must poll. Not a timing
/// assertion: the bound only keeps a broken build from hanging.
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
}
