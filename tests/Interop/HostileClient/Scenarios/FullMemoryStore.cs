using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace HostileClient.Scenarios;

/// <summary>
/// <c>full-memory-store</c>: the in-memory cache (the samples' store without Redis, 200 MB by default) filled by large
/// handshakes. Sends <c>--handshakes</c> (2,600) <c>initialize</c> requests with <c>--bytes</c> (84,000) bytes of client
/// capabilities that never come back (<c>--parallel</c> 16 at a time), then opens <c>--sessions</c> (20) ordinary
/// sessions, lets them be evicted and calls each again. The promise: all of them resume (200, same id), and the
/// instance's log (<c>--log</c>) carries a warning about records refused or a full store.
/// </summary>
internal static partial class FullMemoryStore
{
    private const string Name = "full-memory-store";

    public static async Task<bool> RunAsync(Settings settings, McpWire wire, Target target)
    {
        var handshakes = settings.Int("handshakes", 2600);
        var bytes = settings.Int("bytes", 84_000);
        var parallel = settings.Int("parallel", 16);
        var count = settings.Int("sessions", 20);

        // Sessions opened before the flood: idle (so evicted) while it fills the store.
        var before = await OpenAsync(wire, target, count);

        var pad = new string('y', bytes);
        var statuses = new ConcurrentBag<int>();
        var started = McpWire.Now;
        await Parallel.ForEachAsync(Enumerable.Range(0, handshakes), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (_, _) =>
        {
            var capabilities = new JsonObject { ["experimental"] = new JsonObject { ["pad"] = new JsonObject { ["text"] = pad } } };
            statuses.Add((await wire.InitializeAsync(target.A, capabilities, abandon: true)).Status);
        });
        var floodSeconds = (McpWire.Now - started) / 1000;

        // Sessions opened once the store is full.
        var evictions = EvictionWatch.Start(target, 0);
        var after = await OpenAsync(wire, target, count);
        await evictions.WaitAsync(after);
        var resumedBefore = await Scenario.ServedAsync(wire, target.A, before);
        var resumedAfter = await Scenario.ServedAsync(wire, target.A, after);
        var warnings = target.Logs.Where(File.Exists).SelectMany(File.ReadLines).Where(line => StoreWarning().IsMatch(line)).ToList();

        Report.Line(new JsonObject
        {
            ["scenario"] = Name,
            ["host"] = target.Label,
            ["handshakes"] = handshakes,
            ["bytes"] = bytes,
            ["statuses"] = Report.Statuses(statuses),
            ["floodSeconds"] = Math.Round(floodSeconds, 1),
            ["sessions"] = count,
            ["resumedOpenedBefore"] = resumedBefore.Count,
            ["resumedOpenedAfter"] = resumedAfter.Count,
            ["warnings"] = warnings.Count,
            ["firstWarning"] = warnings.FirstOrDefault(),
        });

        var ok = resumedBefore.Count == count && resumedAfter.Count == count;
        Report.Check(Name, target, ok,
            $"{handshakes} handshakes with {bytes:N0}-byte capabilities ({Report.StatusText(statuses)}, {floodSeconds:0.0} s) filled the memory store: " +
            $"of {count} ordinary sessions opened before them, {resumedBefore.Count} resumed after eviction; of {count} opened after them, {resumedAfter.Count} ({count} and {count} expected)");
        var loud = warnings.Count > 0;
        Report.Check(Name, target, loud,
            $"the log has {warnings.Count} warnings about session records or a full store (at least 1 expected)");
        return ok && loud;
    }

    private static async Task<List<McpSession>> OpenAsync(McpWire wire, Target target, int count)
    {
        var sessions = new List<McpSession>();
        for (var i = 0; i < count; i++)
        {
            var session = await wire.OpenAsync(target.A);
            await wire.EchoAsync(target.A, session);
            sessions.Add(session);
        }

        return sessions;
    }

    // A warning or error of McpCompat's that speaks of session records or of a full store, in the console logger's
    // single-line form ("warn: Category[id] message").
    [GeneratedRegex(@"^(warn|fail|crit): McpCompat.*(record|full)", RegexOptions.IgnoreCase)]
    private static partial Regex StoreWarning();
}
