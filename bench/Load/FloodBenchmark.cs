using System.Diagnostics;
using System.Net;
using System.Text.Json.Serialization;
using System.Text;
using McpCompat;
namespace Load;

/// <summary>
/// What <c>flood</c> measured, once per record limit: a flood of abandoned handshakes against a server whose sessions
/// resume from records in Redis, and what it left there.
/// </summary>
/// <param name="Sdk">The SDK the server ran on.</param>
/// <param name="IdleTimeoutSeconds">SessionIdleTimeout.</param>
/// <param name="WindowSeconds">SessionResumeWindow.</param>
/// <param name="Workers">Concurrent clients sending the handshakes.</param>
/// <param name="Runs">One per limit: McpCompat's limits first (MaxSessionRecords as the run was told, by default its default), then none.</param>
internal sealed record FloodResult(string Sdk, double IdleTimeoutSeconds, double WindowSeconds, int Workers, IReadOnlyList<FloodRun> Runs)
{
    /// <summary>Gets the run with a record limit, if any.</summary>
    [JsonIgnore]
    public FloodRun? Limited => Runs.FirstOrDefault(r => !r.Unlimited);

    /// <summary>Gets the run without one (what McpCompat did before the limits), if any.</summary>
    [JsonIgnore]
    public FloodRun? Unlimited => Runs.FirstOrDefault(r => r.Unlimited);
}

/// <summary>One flood, on a fresh server and an empty Redis database.</summary>
/// <param name="MaxSessionRecords">The server's MaxSessionRecords; <see cref="int.MaxValue"/>: no limit.</param>
/// <param name="MaxSessionRecordBytes">The server's MaxSessionRecordBytes; <see cref="int.MaxValue"/>: no limit.</param>
/// <param name="Handshakes">The <c>initialize</c> requests sent and never followed by anything.</param>
/// <param name="HandshakesAnswered">Those answered 200 with a session id.</param>
/// <param name="Live">Sessions opened and used before the flood, whose clients come back after it.</param>
/// <param name="RecordsBefore">Keys <c>mcpcompat:session:*</c> in Redis before the flood (SCAN).</param>
/// <param name="RecordsAfter">The same once every session was evicted and the store settled.</param>
/// <param name="RecordsCounted">The records the instance counted then (<c>mcpcompat.session.records</c>).</param>
/// <param name="UsedMemoryBefore">Redis's <c>used_memory</c> before the flood, bytes.</param>
/// <param name="UsedMemoryAfter">The same after.</param>
/// <param name="LiveAnswered">Live sessions whose first request after the flood was answered 200 under their own id.</param>
/// <param name="LargeRequestBytes">The size of one more <c>initialize</c>, sent before the flood, whose capabilities are large.</param>
/// <param name="LargeRecordStored">Whether its record was in Redis once its handshake was answered.</param>
/// <param name="LargeRecordAtEnd">Whether it was there at the end.</param>
/// <param name="DroppedOverLimit">Records the instance deleted to keep MaxSessionRecords (<c>max_records</c>).</param>
/// <param name="DroppedTooLarge">Records not written for MaxSessionRecordBytes (<c>too_large</c>).</param>
/// <param name="StoreFailures">Calls on Redis that failed or timed out (<c>mcpcompat.session_store.failures</c>).</param>
/// <param name="RedisCommands">Commands Redis processed from the flood's start to the end's readings (the driver's few reads included).</param>
/// <param name="FloodSeconds">The time the handshakes took to send.</param>
/// <param name="Seconds">The whole run: from FLUSHDB to the last live session's answer.</param>
internal sealed record FloodRun(
    int MaxSessionRecords,
    int MaxSessionRecordBytes,
    int Handshakes,
    int HandshakesAnswered,
    int Live,
    int RecordsBefore,
    int RecordsAfter,
    long RecordsCounted,
    long UsedMemoryBefore,
    long UsedMemoryAfter,
    int LiveAnswered,
    int LargeRequestBytes,
    bool LargeRecordStored,
    bool LargeRecordAtEnd,
    long DroppedOverLimit,
    long DroppedTooLarge,
    long StoreFailures,
    long RedisCommands,
    double FloodSeconds,
    double Seconds)
{
    /// <summary>Gets a value indicating whether the run had no record limit.</summary>
    [JsonIgnore]
    public bool Unlimited => MaxSessionRecords == int.MaxValue;

    /// <summary>Gets the most records the target allows: MaxSessionRecords, and the live sessions' on top.</summary>
    [JsonIgnore]
    public long RecordsAllowed => (long)MaxSessionRecords + Live;

    /// <summary>Gets the growth of Redis's <c>used_memory</c> over the flood, in bytes.</summary>
    [JsonIgnore]
    public long UsedMemoryGrowth => UsedMemoryAfter - UsedMemoryBefore;
}

internal static class FloodBenchmark
{
    private const int Workers = 8;
    private const string RecordPattern = "mcpcompat:session:*";

    /// <param name="redis">A Redis configuration string: a server the runs may empty (FLUSHDB).</param>
    /// <param name="live">Sessions opened and used before the flood, which come back after it.</param>
    /// <param name="handshakes">Abandoned handshakes per run.</param>
    /// <param name="largeBytes">The size of the large string in the one <c>initialize</c> with large capabilities.</param>
    /// <param name="limit">MaxSessionRecords of the first run; McpCompat's default when null.</param>
    public static async Task<FloodResult> RunAsync(string redis, int live, int handshakes, int largeBytes, int? limit)
    {
        var idle = TimeSpan.FromSeconds(1);
        var window = TimeSpan.FromDays(1);
        var defaults = new McpCompatOptions();
        await using var probe = await RedisProbe.ConnectAsync(redis);
        var runs = new List<FloodRun>();
        foreach (var (records, bytes) in new[] { (limit ?? defaults.MaxSessionRecords, defaults.MaxSessionRecordBytes), (int.MaxValue, int.MaxValue) })
        {
            runs.Add(await RunOnceAsync(redis, probe, idle, window, records, bytes, live, handshakes, largeBytes));
        }

        return new FloodResult(McpCompat.Probing.McpSdkProbe.Current.SdkDescription, idle.TotalSeconds, window.TotalSeconds, Workers, runs);
    }

    private static async Task<FloodRun> RunOnceAsync(
        string redis, RedisProbe probe, TimeSpan idle, TimeSpan window, int maxRecords, int maxRecordBytes, int live, int handshakes, int largeBytes)
    {
        var limits = maxRecords == int.MaxValue ? "no limits" : $"MaxSessionRecords {maxRecords}, MaxSessionRecordBytes {maxRecordBytes}";
        var started = Stopwatch.GetTimestamp();
        await probe.FlushAsync();
        await using var server = await ResumeServer.StartAsync(redis, idle, window, maxRecords, maxRecordBytes);
        using var client = new McpLoadClient(server.Endpoint, Workers);

        // The sessions in use: opened, then used twice (their records proven: the client came back after its handshake).
        Console.Error.WriteLine($"flood ({limits}): {live} live sessions");
        var liveIds = new List<string>(live);
        for (var i = 0; i < live; i++)
        {
            var id = await client.OpenSessionAsync();
            await client.CallEchoAsync(id);
            await client.CallEchoAsync(id);
            liveIds.Add(id);
        }

        var recordsBefore = await probe.CountKeysAsync(RecordPattern);
        var usedBefore = await probe.UsedMemoryAsync();
        var commandsBefore = await probe.CommandsProcessedAsync();

        // One handshake whose capabilities are large: its record is written when the handshake is answered, or never.
        var large = LargeInitialize(largeBytes);
        var largeId = await client.InitializeAsync(large);
        var largeStored = await probe.ExistsAsync(RecordKey(largeId));

        Console.Error.WriteLine($"flood ({limits}): {handshakes} abandoned handshakes");
        var floodStarted = Stopwatch.GetTimestamp();
        var answered = await FloodAsync(client, handshakes);
        var floodSeconds = Stopwatch.GetElapsedTime(floodStarted).TotalSeconds;

        // Every session evicted, its record written again; then the deletes the limit sent in the background land.
        await server.WaitUntilEvictedAsync();
        await SettleAsync(probe, server);
        var commands = await probe.CommandsProcessedAsync() - commandsBefore;
        var recordsAfter = await probe.CountKeysAsync(RecordPattern);
        var usedAfter = await probe.UsedMemoryAsync();
        var counted = server.CountedRecords;
        var largeAtEnd = await probe.ExistsAsync(RecordKey(largeId));

        // The clients in use come back: each first request must be answered 200, under its own id (resumed).
        var liveAnswered = 0;
        foreach (var id in liveIds)
        {
            var (status, answeredId) = await client.TryCallEchoAsync(id);
            if (status == HttpStatusCode.OK && answeredId == id)
            {
                liveAnswered++;
            }
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Console.Error.WriteLine($"flood ({limits}): records {recordsBefore} -> {recordsAfter} (counted {counted}), used_memory {usedBefore} -> {usedAfter} B, live {liveAnswered}/{live}, large record stored: {largeStored}, {seconds:0.0} s");
        return new FloodRun(
            maxRecords, maxRecordBytes, handshakes, answered, live,
            recordsBefore, recordsAfter, counted, usedBefore, usedAfter, liveAnswered,
            large.Length, largeStored, largeAtEnd,
            server.Dropped("max_records"), server.Dropped("too_large"), server.FailedStoreCalls, commands,
            floodSeconds, seconds);
    }

    /// <summary>
    /// Sends <paramref name="handshakes"/> <c>initialize</c> requests with <see cref="Workers"/> concurrent clients, each
    /// followed by nothing; returns how many were answered 200 with a session id.
    /// </summary>
    private static async Task<int> FloodAsync(McpLoadClient client, int handshakes)
    {
        var answered = 0;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) < handshakes)
            {
                try
                {
                    await client.InitializeAsync();
                    Interlocked.Increment(ref answered);
                }
                catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or TaskCanceledException)
                {
                    // Counted by its absence from the answered ones; the flood goes on.
                }
            }
        })));
        return answered;
    }

    /// <summary>
    /// Waits (at most 30 s) until the keys in Redis and the records the instance counts stay the same for half a second:
    /// the last evictions' writes, and the deletes the limit sends without waiting, have landed.
    /// </summary>
    private static async Task SettleAsync(RedisProbe probe, ResumeServer server)
    {
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 30;
        var last = (Keys: await probe.DatabaseSizeAsync(), Counted: server.CountedRecords);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(500);
            var now = (Keys: await probe.DatabaseSizeAsync(), Counted: server.CountedRecords);
            if (now == last)
            {
                return;
            }

            last = now;
        }
    }

    private static string RecordKey(string id) => "mcpcompat:session:" + id;

    /// <summary>An <c>initialize</c> whose capabilities carry an <c>experimental</c> object with a string of <paramref name="bytes"/> characters.</summary>
    private static byte[] LargeInitialize(int bytes) => Encoding.UTF8.GetBytes(
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"," +
        "\"capabilities\":{\"experimental\":{\"padding\":{\"text\":\"" + new string('x', bytes) + "\"}}}," +
        "\"clientInfo\":{\"name\":\"load-large\",\"version\":\"1\"}}}");
}
