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
}
