using System.Diagnostics;
using System.Globalization;

namespace Load;

/// <summary>What holding many quiet GET streams open cost the server over a window.</summary>
internal sealed record StreamCostResult(
    string KeepAlive,
    int Streams,
    double WindowSeconds,
    double CpuSeconds,
    long ActiveTimers,
    long UnreadBytes,
    long ManagedBytes,
    long RssBytes,
    double OpenSeconds,
    long Failures);

/// <summary>
/// The cost of keep-alives at scale: many sessions on the SDK's own host (McpCompat native), each with a GET stream
/// open and quiet. The clients run in a child process (<see cref="HoldAsync"/>: one process cannot hold both ends of
/// 10,000 connections under this machine's limit of open files) and read nothing, so what the server sends waits in
/// their receive buffers. Over a window, the server process's CPU time is measured, with its active timers and the
/// bytes it sent on the streams (HTTP/1.1 chunk framing included). Run once with keep-alives and once without.
/// </summary>
internal static class StreamCost
{
    public static async Task<StreamCostResult> RunAsync(TimeSpan keepAlive, int count, TimeSpan window, int workers)
    {
        await using var server = await LoadServer.StartAsync(ServerMode.Native, TimeSpan.FromHours(1), recordEnds: false, o => o.KeepAliveInterval = keepAlive);
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(StreamCost).Assembly.Location);
        }

        foreach (var argument in new[] { "hold", "--endpoint", server.Endpoint.ToString(), "--count", count.ToString(CultureInfo.InvariantCulture), "--workers", workers.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        using var clients = Process.Start(start) ?? throw new InvalidOperationException("the client process did not start");
        var ready = (await clients.StandardOutput.ReadLineAsync())?.Split(' ') ?? throw new InvalidOperationException("the client process ended early");
        var failures = long.Parse(ready[1], CultureInfo.InvariantCulture);
        var openSeconds = double.Parse(ready[2], CultureInfo.InvariantCulture);

        // Settle, then measure the window: what the open streams cost while nothing else happens.
        GC.Collect();
        await Task.Delay(TimeSpan.FromSeconds(2));
        await clients.StandardInput.WriteLineAsync("mark");
        var unreadBefore = long.Parse((await clients.StandardOutput.ReadLineAsync())!, CultureInfo.InvariantCulture);
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.Delay(window);
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        var elapsed = clock.Elapsed;
        var timers = Timer.ActiveCount;
        await clients.StandardInput.WriteLineAsync("mark");
        var unread = long.Parse((await clients.StandardOutput.ReadLineAsync())!, CultureInfo.InvariantCulture) - unreadBefore;
        await clients.StandardInput.WriteLineAsync("end");
        await clients.WaitForExitAsync();
        return new StreamCostResult(
            keepAlive == Timeout.InfiniteTimeSpan ? "off" : keepAlive.ToString("c", CultureInfo.InvariantCulture),
            count - (int)failures,
            elapsed.TotalSeconds,
            cpu.TotalSeconds,
            timers,
            unread,
            ManagedBytes(),
            process.WorkingSet64,
            openSeconds,
            failures);
    }

    /// <summary>The managed heap at the end of the run: the median of three readings, each after a forced full collection.</summary>
    private static long ManagedBytes() => ChurnSoak.ThreeReadings(ChurnSoak.ManagedBytes)[1];

    /// <summary>
    /// The client process: opens <paramref name="count"/> sessions with a GET stream each, prints
    /// "ready FAILURES OPEN_SECONDS", then for each "mark" on standard input prints the unread bytes of all streams,
    /// and closes them all on "end".
    /// </summary>
    public static async Task HoldAsync(Uri endpoint, int count, int workers)
    {
        using var client = new McpLoadClient(endpoint);
        var streams = new RawGetStream?[count];
        var failures = 0L;
        var next = -1;
        var opening = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                try
                {
                    var id = await client.OpenSessionAsync();
                    streams[i] = await RawGetStream.OpenAsync(endpoint, id, 0, CancellationToken.None);
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException or System.Net.Sockets.SocketException)
                {
                    Interlocked.Increment(ref failures);
                    Console.Error.WriteLine(ex.Message);
                }
            }
        })));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ready {failures} {opening.Elapsed.TotalSeconds}"));
        while (Console.ReadLine() is "mark")
        {
            Console.WriteLine(streams.Sum(s => (long)(s?.Unread ?? 0)).ToString(CultureInfo.InvariantCulture));
        }

        foreach (var stream in streams)
        {
            stream?.Dispose();
        }
    }
}
