using System.Text;

namespace HostileClient;

/// <summary>
/// Watches an instance's log for the evictions of sessions: McpCompat's sweeper says "McpCompat ended session {id}:" (at
/// Debug), the SDK's own "Closing idle session {id}." (at Information). Only what the log gains after
/// <see cref="Start"/> counts, so an eviction before it (of a copy since resumed) is not taken for a later one.
/// </summary>
internal sealed class EvictionWatch
{
    private readonly Target _target;
    private readonly string? _log;
    private long _offset;

    private EvictionWatch(Target target, string? log)
    {
        _target = target;
        _log = log;
        _offset = log is not null && File.Exists(log) ? new FileInfo(log).Length : 0;
    }

    /// <summary>Starts watching instance <paramref name="instance"/> (0: A, 1: B) of the target, from the log's end.</summary>
    public static EvictionWatch Start(Target target, int instance) =>
        new(target, instance < target.Logs.Count ? target.Logs[instance] : null);

    /// <summary>
    /// Waits until the log has said each session was evicted since the watch started, or the target's eviction bound has
    /// passed, whichever comes first; and at least <paramref name="atLeast"/> (at most the bound). Without a log it waits
    /// the bound; with no session to wait for, only the least wait.
    /// </summary>
    public async Task WaitAsync(IEnumerable<McpSession> sessions, TimeSpan atLeast = default)
    {
        var floor = Task.Delay(atLeast < _target.EvictAfter ? atLeast : _target.EvictAfter);
        await WaitLogAsync(sessions);
        await floor;
    }

    private async Task WaitLogAsync(IEnumerable<McpSession> sessions)
    {
        var deadline = McpWire.Now + _target.EvictAfter.TotalMilliseconds;
        var pending = sessions.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        if (pending.Count == 0)
        {
            return;
        }

        if (_log is null)
        {
            await Task.Delay(_target.EvictAfter);
            return;
        }

        var partial = "";
        while (pending.Count > 0 && McpWire.Now < deadline)
        {
            string text;
            await using (var file = new FileStream(_log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                file.Seek(_offset, SeekOrigin.Begin);
                using var reader = new StreamReader(file, Encoding.UTF8);
                text = partial + await reader.ReadToEndAsync();
                _offset = file.Position;
            }

            var end = text.LastIndexOf('\n');
            partial = text[(end + 1)..];
            foreach (var line in text[..(end + 1)].Split('\n'))
            {
                if (EvictedId(line) is { } id)
                {
                    pending.Remove(id);
                }
            }

            if (pending.Count > 0)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>The session a log line says was evicted for being idle, or null.</summary>
    private static string? EvictedId(string line)
    {
        const string Compat = "McpCompat ended session ";
        const string Sdk = "Closing idle session ";
        var at = line.IndexOf(Compat, StringComparison.Ordinal);
        if (at >= 0)
        {
            var start = at + Compat.Length;
            var end = line.IndexOf(':', start);
            return end > start ? line[start..end] : null;
        }

        at = line.IndexOf(Sdk, StringComparison.Ordinal);
        if (at >= 0)
        {
            var start = at + Sdk.Length;
            var end = line.IndexOf('.', start);
            return end > start ? line[start..end] : null;
        }

        return null;
    }
}
