namespace HostileClient.Scenarios;

/// <summary>The scenarios by name: each runs against one target and returns whether every check of it passed.</summary>
internal static class Scenario
{
    public static IReadOnlyDictionary<string, Func<Settings, McpWire, Target, Task<bool>>> All { get; } =
        new Dictionary<string, Func<Settings, McpWire, Target, Task<bool>>>(StringComparer.Ordinal)
        {
            ["delete-in-flight"] = DeleteInFlight.RunAsync,
            ["fleet-delete"] = FleetDelete.RunAsync,
            ["stalled-store"] = StalledStore.RunAsync,
            ["restarted-store"] = RestartedStore.RunAsync,
            ["handshake-flood"] = HandshakeFlood.RunAsync,
            ["full-memory-store"] = FullMemoryStore.RunAsync,
            ["no-convoy"] = NoConvoy.RunAsync,
            ["made-up-ids"] = MadeUpIds.RunAsync,
        };

    /// <summary>
    /// The least time to let pass before asking whether a deleted session comes back: one idle timeout and sweep of
    /// McpCompat's (1.25 s), so that an eviction under way has written whatever it writes.
    /// </summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(1.5);

    /// <summary>Sessions that a request still finds: those whose probe was served (200 with a result).</summary>
    public static async Task<List<string>> ServedAsync(McpWire wire, Uri endpoint, IEnumerable<McpSession> sessions, int parallel = 32)
    {
        var served = new List<string>();
        await Parallel.ForEachAsync(sessions, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (session, _) =>
        {
            if ((await wire.EchoAsync(endpoint, session, "probe")).Served)
            {
                lock (served)
                {
                    served.Add(session.Id);
                }
            }
        });
        return served;
    }

    /// <summary>A yes or a no, for a report.</summary>
    public static string Yes(bool value) => value ? "yes" : "no";

    /// <summary>Milliseconds as a report shows them: whole numbers.</summary>
    public static long Ms(double milliseconds) => (long)Math.Round(milliseconds);
}
