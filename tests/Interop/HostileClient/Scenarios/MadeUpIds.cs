using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace HostileClient.Scenarios;

/// <summary>
/// <c>made-up-ids</c>: DELETEs of session ids no server ever gave: <c>--deletes</c> (2,000) of random 22-character ids
/// and <c>--long</c> (50) of <c>--long-bytes</c> (30,720) characters, <c>--parallel</c> (32) at a time. Reads Redis's
/// count of PUBLISH commands before and after. The promise: every one answers 404 with JSON-RPC error -32001, and none
/// is told to the fleet (no PUBLISH).
/// </summary>
internal static class MadeUpIds
{
    private const string Name = "made-up-ids";

    public static async Task<bool> RunAsync(Settings settings, McpWire wire, Target target)
    {
        var deletes = settings.Int("deletes", 2000);
        var longOnes = settings.Int("long", 50);
        var longBytes = settings.Int("long-bytes", 30 * 1024);
        var parallel = settings.Int("parallel", 32);
        using var redis = await target.ConnectRedisAsync();

        var before = await redis.PublishesAsync();
        var ids = Enumerable.Range(0, deletes).Select(_ => RandomId(16)).Concat(Enumerable.Range(0, longOnes).Select(_ => RandomId(longBytes * 3 / 4)[..longBytes]));
        var answers = new ConcurrentBag<(bool Long, Answer Answer)>();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (id, _) =>
            answers.Add((id.Length > 22, await wire.DeleteAsync(target.A, new McpSession(id, McpWire.Revision)))));
        var published = await redis.PublishesAsync() - before;

        var shortAnswers = answers.Where(a => !a.Long).Select(a => a.Answer).ToList();
        var longAnswers = answers.Where(a => a.Long).Select(a => a.Answer).ToList();
        static bool NotFound(Answer a) => a.Status == 404 && a.ErrorCode == -32001;
        Report.Line(new JsonObject
        {
            ["scenario"] = Name,
            ["host"] = target.Label,
            ["deletes"] = deletes,
            ["statuses"] = Report.Statuses(shortAnswers.Select(a => a.Status)),
            ["notFound"] = shortAnswers.Count(NotFound),
            ["long"] = longOnes,
            ["longStatuses"] = Report.Statuses(longAnswers.Select(a => a.Status)),
            ["longNotFound"] = longAnswers.Count(NotFound),
            ["publishes"] = published,
        });

        var ok = shortAnswers.All(NotFound) && longAnswers.All(NotFound) && published == 0;
        Report.Check(Name, target, ok,
            $"DELETEs of made-up ids: {deletes} random ones answered {Report.StatusText(shortAnswers.Select(a => a.Status))} ({shortAnswers.Count(NotFound)} with -32001), " +
            $"{longOnes} of {longBytes:N0} characters {Report.StatusText(longAnswers.Select(a => a.Status))} ({longAnswers.Count(NotFound)} with -32001); " +
            $"Redis ran {published} PUBLISH commands (all 404 -32001 and 0 PUBLISH expected)");
        return ok;
    }

    private static string RandomId(int bytes) => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(bytes));
}
