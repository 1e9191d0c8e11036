using System.Net;
using System.Text.Json.Nodes;
using McpCompat.Options;
using Microsoft.Extensions.Time.Testing;

namespace McpCompat.Tests.Support;

/// <summary>What a client's DELETE races: its own calls in flight, and a store that stops answering.</summary>
internal static class DeleteRace
{
    /// <summary>
    /// Four callers call <c>echo</c> on the session back to back; once eight calls are through, the client deletes it.
    /// Returns how many calls sent after the DELETE's answer were answered 200: none, where a DELETE is final. Each
    /// caller stops at its first other answer after the DELETE. <paramref name="cutWhileInFlight"/>: a call in flight when
    /// the session ended may have its answer cut (the SDK's host does so); anything else fails the caller.
    /// </summary>
    public static async Task<int> CallsServedAfterDeleteAsync(RawMcpClient client, string sessionId, bool cutWhileInFlight = false)
    {
        long deleted = 0;
        var servedAfter = 0;
        var served = 0;
        var warmedUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var callers = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            while (true)
            {
                var sentAfter = Interlocked.Read(ref deleted) == 1;
                HttpStatusCode status;
                try
                {
                    status = (await client.CallToolAsync(sessionId, "echo", new JsonObject { ["message"] = $"{c}" })).Status;
                }
                catch (HttpRequestException) when (cutWhileInFlight && !sentAfter)
                {
                    continue;
                }

                if (Interlocked.Increment(ref served) == 8)
                {
                    warmedUp.TrySetResult();
                }

                if (sentAfter)
                {
                    if (status != HttpStatusCode.OK)
                    {
                        return;
                    }

                    Interlocked.Increment(ref servedAfter);
                }
            }
        })).ToArray();

        // Some calls go through first, so the DELETE meets calls in flight.
        await warmedUp.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, await client.DeleteAsync(sessionId));
        Interlocked.Exchange(ref deleted, 1);
        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(30));
        return servedAfter;
    }

    /// <summary>
    /// Starts <paramref name="request"/> with the cache stalled, lets the application's clock pass the store timeout once
    /// the request waits on the cache (the timeout's timer is made before the call), and returns what it answered.
    /// </summary>
    public static async Task<T> PastTheStoreTimeoutAsync<T>(FakeDistributedCache cache, FakeTimeProvider time, Func<Task<T>> request)
    {
        cache.Stall();
        var sent = request();
        await cache.StalledCall.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(McpCompatDefaults.SessionStoreTimeout);
        return await sent.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// The cache answers again, and the application's clock passes the store timeout: McpCompat leaves a store that failed
    /// alone for that long, so only then does it ask it again.
    /// </summary>
    public static void StoreBack(FakeDistributedCache cache, FakeTimeProvider time)
    {
        cache.Unstall();
        cache.Failing = false;
        time.Advance(McpCompatDefaults.SessionStoreTimeout);
    }
}
