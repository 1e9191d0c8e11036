using McpCompat.Sessions;

namespace McpCompat.Benchmarks;

/// <summary>
/// Managed bytes McpCompat keeps per tracked session: the session record and the tracker's share (dictionary entry,
/// idle list), measured as the heap growth after a forced full GC when sessions are added. The ids are allocated
/// before the baseline: the SDK makes them, McpCompat only refers to them.
/// </summary>
internal static class Footprint
{
    public static double BytesPerTrackedSession(int count)
    {
        var ids = SessionFixture.NewIds(count);
        var now = TimeProvider.System.GetTimestamp();

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var tracker = new SessionTracker();
        SessionFixture.Track(tracker, new CompletedEvictor(tracker), ids, _ => now);
        var after = GC.GetTotalMemory(forceFullCollection: true);

        GC.KeepAlive(tracker);
        GC.KeepAlive(ids);
        return (after - before) / (double)count;
    }
}
