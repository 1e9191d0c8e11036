using System.Diagnostics;
using System.Globalization;

namespace Load;

/// <summary>One sample of a zombie-churn run.</summary>
internal sealed record ZombieSample(double Seconds, long Opened, long LiveSessions, long RssBytes, long ManagedBytes);

/// <summary>What one zombie-churn run measured.</summary>
internal sealed record ZombieResult(
    string KeepAlive,
    double Rate,
    double Seconds,
    double IdleTimeoutSeconds,
    int TcpRetries2,
    long Opened,
    long Failures,
    long LiveAtEnd,
    long PeakLive,
    long RssStartBytes,
    long RssEndBytes,
    long ManagedStartBytes,
    long ManagedEndBytes,
    IReadOnlyList<ZombieSample> Samples);

/// <summary>
/// Zombie churn on the SDK's own host (<c>MapMcp</c>, McpCompat on the native path): at a steady rate, a client opens a
/// session and its GET stream, then vanishes behind a dead link. Its socket stays open and unread, and a blackhole
/// routing rule on its local port drops every packet either way, so the server's writes are never acknowledged and
/// nothing closes the connection. Live sessions (runs started, not ended), RSS and the managed heap are sampled.
/// Needs root in a network namespace of its own whose <c>local</c> routing rule has been moved after the blackhole
/// rules' preferences (eng/perf.sh sets it up).
/// </summary>
internal static class ZombieChurn
{
    public static async Task RunAsync(TimeSpan keepAlive, double rate, TimeSpan duration, TimeSpan idleTimeout, TimeSpan sampleEvery, int firstPort, int firstPreference, Func<ZombieResult, Task> save)
    {
        await using var server = await LoadServer.StartAsync(ServerMode.Native, idleTimeout, recordEnds: false, o => o.KeepAliveInterval = keepAlive);
        using var client = new McpLoadClient(server.Endpoint);
        var streams = new List<RawGetStream>();
        var samples = new List<ZombieSample>();
        var failures = 0L;
        var opened = 0L;
        var retries2 = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/tcp_retries2").Trim(), CultureInfo.InvariantCulture);

        // Warm-up: one session opened, its stream opened and closed, the session deleted.
        var warm = await client.OpenSessionAsync();
        using (await RawGetStream.OpenAsync(server.Endpoint, warm, 0, CancellationToken.None))
        {
        }

        await client.DeleteAsync(warm);
        var (rssStart, managedStart) = Memory();
        var clock = Stopwatch.StartNew();
        samples.Add(new(0, 0, server.LiveSessions, rssStart, managedStart));
        var nextSample = sampleEvery;
        var interval = TimeSpan.FromSeconds(1 / rate);
        for (var i = 0; clock.Elapsed < duration; i++)
        {
            var due = interval * i;
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            try
            {
                var id = await client.OpenSessionAsync();
                var stream = await RawGetStream.OpenAsync(server.Endpoint, id, firstPort + i, CancellationToken.None);
                await BlackholeAsync(stream.LocalPort, firstPreference + (2 * i));
                streams.Add(stream);
                opened++;
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or System.Net.Sockets.SocketException or InvalidOperationException)
            {
                failures++;
                Console.Error.WriteLine($"zombie {i}: {ex.Message}");
            }

            if (clock.Elapsed >= nextSample)
            {
                var (rss, managed) = Memory();
                samples.Add(new(clock.Elapsed.TotalSeconds, opened, server.LiveSessions, rss, managed));
                nextSample += sampleEvery;
            }
        }

        var (rssEnd, managedEnd) = Memory();
        samples.Add(new(clock.Elapsed.TotalSeconds, opened, server.LiveSessions, rssEnd, managedEnd));
        await save(new ZombieResult(
            keepAlive == Timeout.InfiniteTimeSpan ? "off" : keepAlive.ToString("c", CultureInfo.InvariantCulture),
            rate,
            clock.Elapsed.TotalSeconds,
            idleTimeout.TotalSeconds,
            retries2,
            opened,
            failures,
            server.LiveSessions,
            samples.Max(s => s.LiveSessions),
            rssStart,
            rssEnd,
            managedStart,
            managedEnd,
            samples));
        streams.ForEach(s => s.Dispose());
    }

    private static (long Rss, long Managed) Memory()
    {
        var managed = GC.GetTotalMemory(forceFullCollection: true);
        using var self = Process.GetCurrentProcess();
        return (self.WorkingSet64, managed);
    }

    /// <summary>Drops every packet to and from <paramref name="port"/> on this machine (two blackhole routing rules).</summary>
    private static async Task BlackholeAsync(int port, int preference)
    {
        await IpAsync($"rule add pref {preference} ipproto tcp dport {port} blackhole");
        await IpAsync($"rule add pref {preference + 1} ipproto tcp sport {port} blackhole");
    }

    private static async Task IpAsync(string arguments)
    {
        using var ip = Process.Start(new ProcessStartInfo("ip", arguments) { RedirectStandardError = true }) ?? throw new InvalidOperationException("ip did not start");
        var error = await ip.StandardError.ReadToEndAsync();
        await ip.WaitForExitAsync();
        if (ip.ExitCode != 0)
        {
            throw new InvalidOperationException($"ip {arguments}: {error.Trim()}");
        }
    }
}
