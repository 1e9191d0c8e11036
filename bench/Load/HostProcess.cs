using System.Diagnostics;
using System.Globalization;

namespace Load;

/// <summary>What a server process had allocated and spent at one moment.</summary>
/// <param name="AllocatedBytes">Managed bytes allocated since the process started (precise).</param>
/// <param name="Cpu">CPU time of the process, user and kernel.</param>
internal readonly record struct HostStats(long AllocatedBytes, TimeSpan Cpu);

/// <summary>A <see cref="HostServer"/> in a child process (this program, command <c>host</c>), driven over its standard input and output.</summary>
internal sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;

    private HostProcess(HostKind kind, Process process, Uri endpoint)
    {
        Kind = kind;
        _process = process;
        Endpoint = endpoint;
    }

    public HostKind Kind { get; }

    public Uri Endpoint { get; }

    public static async Task<HostProcess> StartAsync(HostKind kind)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(HostProcess).Assembly.Location);
        }

        start.ArgumentList.Add("host");
        start.ArgumentList.Add("--kind");
        start.ArgumentList.Add(kind.ToString());
        var process = Process.Start(start) ?? throw new InvalidOperationException($"the {kind} server process did not start");
        var ready = await process.StandardOutput.ReadLineAsync();
        if (ready?.Split(' ') is not ["ready", var endpoint])
        {
            process.Kill();
            process.Dispose();
            throw new InvalidOperationException($"the {kind} server process did not say it was ready: '{ready}'");
        }

        return new HostProcess(kind, process, new Uri(endpoint));
    }

    /// <summary>Reads the process's allocations and CPU time; call it while no request is in flight.</summary>
    public async Task<HostStats> ReadStatsAsync()
    {
        var line = await AskAsync(HostServer.Stats);
        var parts = line.Split(' ');
        return new HostStats(long.Parse(parts[0], CultureInfo.InvariantCulture), TimeSpan.FromTicks(long.Parse(parts[1], CultureInfo.InvariantCulture)));
    }

    /// <summary>Forces full collections in the process and waits until they are done.</summary>
    public Task CollectAsync() => AskAsync(HostServer.Collect);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _process.StandardInput.WriteLineAsync(HostServer.End);
            _process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    private async Task<string> AskAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        return await _process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException($"the {Kind} server process ended");
    }
}
