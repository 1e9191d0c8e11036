using System.Diagnostics;
using System.Globalization;

namespace HostileClient;

/// <summary>
/// One host under test: its instances' endpoints (A, and B for a fleet), the Redis server they share with its process id
/// (to stall it), how long after its last request an idle session is surely evicted there, and the instances' logs.
/// </summary>
internal sealed class Target(string label)
{
    public string Label { get; } = label;

    public List<Uri> Endpoints { get; } = [];

    public string? Redis { get; set; }

    public int? RedisPid { get; set; }

    /// <summary>Gets or sets the wait after which an idle session is evicted for sure: the idle timeout plus the sweep's lateness.</summary>
    public TimeSpan EvictAfter { get; set; } = TimeSpan.FromSeconds(1.5);

    public List<string> Logs { get; } = [];

    public Uri A => Endpoints[0];

    public Uri B => Endpoints.Count > 1 ? Endpoints[1] : throw new InvalidOperationException($"{Label}: the scenario needs two instances (--endpoint twice)");

    public Task<RedisProbe> ConnectRedisAsync() =>
        RedisProbe.ConnectAsync(Redis ?? throw new InvalidOperationException($"{Label}: the scenario needs the instances' Redis (--redis)"));

    /// <summary>Stops (SIGSTOP) or continues (SIGCONT) the Redis server: a store that hangs without closing a connection.</summary>
    public async Task SignalRedisAsync(string signal)
    {
        var pid = RedisPid ?? throw new InvalidOperationException($"{Label}: the scenario needs the Redis server's process id (--redis-pid)");
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Label}: kill -{signal} {pid} failed");
        }
    }
}
