using System.Collections.Concurrent;
using System.Net;

namespace McpCompat.Tests.Support;

/// <summary>Requests racing a sweep that ends their sessions: every answer is 200 or a clean 404, never 500.</summary>
internal static class EvictionRace
{
    public static async Task AssertOkOr404OnlyAsync(RawMcpClient client, IReadOnlyList<string> ids, Func<Task> sweep, Func<string, bool> stillAlive)
    {
        var statuses = new ConcurrentBag<HttpStatusCode>();
        var pings = ids.Select(async id =>
        {
            for (var round = 0; round < 5; round++)
            {
                statuses.Add(await client.PingAsync(id));
            }
        });
        await Task.WhenAll([.. pings, sweep()]);

        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.NotFound, $"unexpected {(int)s}"));

        // A session either answers after the race or is gone for good: no half-ended state.
        foreach (var id in ids)
        {
            Assert.Equal(stillAlive(id) ? HttpStatusCode.OK : HttpStatusCode.NotFound, await client.PingAsync(id));
        }
    }

    /// <summary>
    /// Many races, round after round: opens <paramref name="perRound"/> sessions, lets them fall idle past the
    /// timeout, then sends one request per session while the sweep ends them. Every answer must be 200 or a clean
    /// 404 (-32001), within a bound (no hang), and the session must then be consistently alive or gone.
    /// </summary>
    /// <returns>How many answers were 200 and how many 404.</returns>
    public static async Task<(int Ok, int NotFound)> RunRoundsAsync(
        RawMcpClient client, Action advancePastTimeout, Func<Task> sweep, Func<string, bool> stillAlive, int rounds, int perRound)
    {
        var ok = 0;
        var notFound = 0;
        using var opening = new SemaphoreSlim(8);
        for (var round = 0; round < rounds; round++)
        {
            var ids = await Task.WhenAll(Enumerable.Range(0, perRound).Select(async _ =>
            {
                await opening.WaitAsync();
                try
                {
                    return await client.InitializeAsync();
                }
                finally
                {
                    opening.Release();
                }
            }));

            advancePastTimeout();
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var requests = ids.Select(id => client.RequestAsync(id, "ping", cancellationToken: bound.Token)).ToArray();
            await Task.WhenAll([.. requests, sweep()]);

            foreach (var (status, message) in requests.Select(r => r.Result))
            {
                Assert.True(status is HttpStatusCode.OK or HttpStatusCode.NotFound, $"unexpected {(int)status}");
                if (status == HttpStatusCode.NotFound)
                {
                    Assert.Equal(-32001, (int?)message?["error"]?["code"]);
                    notFound++;
                }
                else
                {
                    ok++;
                }
            }

            // Survivors (their request won the race) answer; the others are gone for good. End the survivors too.
            advancePastTimeout();
            await sweep();
            foreach (var id in ids)
            {
                Assert.False(stillAlive(id), $"session {id} outlived a second sweep");
            }
        }

        return (ok, notFound);
    }
}
