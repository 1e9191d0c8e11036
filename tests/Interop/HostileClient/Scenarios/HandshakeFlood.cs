using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace HostileClient.Scenarios;

/// <summary>
/// <c>handshake-flood</c>: clients that shake hands and never come back. Opens <c>--live</c> (5) sessions on A and uses
/// them, then sends <c>--handshakes</c> (5,000) <c>initialize</c> requests that are never followed by anything
/// (<c>--parallel</c> 32 at a time), then <c>--big</c> (100) more whose client capabilities carry
/// <c>--big-bytes</c> (1,000,000) bytes (an <c>experimental</c> object with one long string), then uses the live sessions
/// again (idle meanwhile, so evicted and resumed). Counts McpCompat's records in Redis and its <c>used_memory</c> before
/// and after each flood. The promise: the records stay within <c>--max-records</c> (1,000: the cap the script sets), no
/// record above <c>--max-record-bytes</c> (4,096) is stored, and the live sessions answer 200.
/// </summary>
internal static class HandshakeFlood
{
    private const string Name = "handshake-flood";

    public static async Task<bool> RunAsync(Settings settings, McpWire wire, Target target)
    {
        var handshakes = settings.Int("handshakes", 5000);
        var big = settings.Int("big", 100);
        var bigBytes = settings.Int("big-bytes", 1_000_000);
        var parallel = settings.Int("parallel", 32);
        var maxRecords = settings.Int("max-records", 1000);
        var maxRecordBytes = settings.Int("max-record-bytes", 4096);
        var liveCount = settings.Int("live", 5);
        using var redis = await target.ConnectRedisAsync();
        var pattern = RedisProbe.RecordPrefix + "*";

        var live = new List<McpSession>();
        for (var i = 0; i < liveCount; i++)
        {
            var session = await wire.OpenAsync(target.A);
            await wire.EchoAsync(target.A, session);
            live.Add(session);
        }

        var recordsBefore = await redis.CountAsync(pattern);
        var memoryBefore = await redis.UsedMemoryAsync();

        var started = McpWire.Now;
        var floodStatuses = new ConcurrentBag<int>();
        await Parallel.ForEachAsync(Enumerable.Range(0, handshakes), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (_, _) =>
            floodStatuses.Add((await wire.InitializeAsync(target.A, abandon: true)).Status));
        var floodSeconds = (McpWire.Now - started) / 1000;
        var recordsAfterFlood = await redis.CountAsync(pattern);
        var memoryAfterFlood = await redis.UsedMemoryAsync();

        var pad = new string('x', bigBytes);
        var bigIds = new ConcurrentBag<string>();
        var bigStatuses = new ConcurrentBag<int>();
        await Parallel.ForEachAsync(Enumerable.Range(0, big), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (_, _) =>
        {
            var capabilities = new JsonObject { ["experimental"] = new JsonObject { ["pad"] = new JsonObject { ["text"] = pad } } };
            var answer = await wire.InitializeAsync(target.A, capabilities, abandon: true);
            bigStatuses.Add(answer.Status);
            if (answer.SessionId is { } id)
            {
                bigIds.Add(id);
            }
        });
        var bigSizes = await redis.RecordSizesAsync(bigIds);
        var bigStored = bigSizes.Count(size => size > 0);
        var bigOverCap = bigSizes.Count(size => size > maxRecordBytes);
        var recordsAfterBig = await redis.CountAsync(pattern);
        var memoryAfterBig = await redis.UsedMemoryAsync();

        var liveServed = 0;
        foreach (var session in live)
        {
            liveServed += (await wire.EchoAsync(target.A, session)).Served ? 1 : 0;
        }

        var floodAdded = recordsAfterFlood - recordsBefore;
        Report.Line(new JsonObject
        {
            ["scenario"] = Name,
            ["host"] = target.Label,
            ["handshakes"] = handshakes,
            ["handshakeStatuses"] = Report.Statuses(floodStatuses),
            ["floodSeconds"] = Math.Round(floodSeconds, 1),
            ["recordsBefore"] = recordsBefore,
            ["recordsAfterFlood"] = recordsAfterFlood,
            ["usedMemoryBefore"] = memoryBefore,
            ["usedMemoryAfterFlood"] = memoryAfterFlood,
            ["big"] = big,
            ["bigBytes"] = bigBytes,
            ["bigStatuses"] = Report.Statuses(bigStatuses),
            ["bigStored"] = bigStored,
            ["bigStoredOverCap"] = bigOverCap,
            ["bigLargestRecord"] = bigSizes.DefaultIfEmpty(0).Max(),
            ["recordsAfterBig"] = recordsAfterBig,
            ["usedMemoryAfterBig"] = memoryAfterBig,
            ["liveServed"] = liveServed,
            ["live"] = liveCount,
        });

        var bounded = recordsAfterFlood <= maxRecords;
        Report.Check(Name, target, bounded,
            $"{handshakes} abandoned handshakes ({Report.StatusText(floodStatuses)}, {floodSeconds:0.0} s) added {floodAdded} records and " +
            $"{Mb(memoryAfterFlood - memoryBefore)} to Redis: {recordsAfterFlood} records in all (at most {maxRecords} expected)");
        var small = bigOverCap == 0;
        Report.Check(Name, target, small,
            $"{big} handshakes with {bigBytes:N0}-byte capabilities ({Report.StatusText(bigStatuses)}): {bigStored} records stored, " +
            $"{bigOverCap} of them above {maxRecordBytes:N0} bytes (largest {bigSizes.DefaultIfEmpty(0).Max():N0}), {Mb(memoryAfterBig - memoryAfterFlood)} " +
            $"added to Redis (none above {maxRecordBytes:N0} bytes expected)");
        var unharmed = liveServed == liveCount;
        Report.Check(Name, target, unharmed,
            $"{liveServed} of {liveCount} sessions opened before the floods answered 200 after them ({liveCount} expected)");
        return bounded && small && unharmed;
    }

    private static string Mb(long bytes) => $"{bytes / 1048576.0:0.0} MiB";
}
