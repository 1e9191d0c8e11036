using System.Globalization;

namespace Load;

/// <summary>
/// A server process for the host comparison: the same MCP server (the <c>echo</c> tool of <see cref="LoadTools"/>,
/// logging off, no cap on sessions) behind one <see cref="HostKind"/>, on Kestrel at 127.0.0.1 (ephemeral port), alone in its process so
/// that what the process allocates and spends is the server's. It prints <c>ready ENDPOINT</c> on standard output,
/// then answers one line per command read from standard input (<see cref="HostProcess"/> is the other end).
/// </summary>
internal static class HostServer
{
    /// <summary>Prints the bytes the process has allocated (<c>GC.GetTotalAllocatedBytes(precise: true)</c>) and its CPU time in ticks.</summary>
    public const string Stats = "stats";

    /// <summary>Runs forced, blocking, compacting full collections with finalizers in between, then prints <c>ok</c>.</summary>
    public const string Collect = "collect";

    /// <summary>Stops the host and ends the process (so does the end of standard input).</summary>
    public const string End = "end";

    public static async Task ServeAsync(HostKind kind)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var mcp = builder.Services.AddMcpServer();

        // Both at their default idle timeout (2 h), with no cap on sessions: a segment of session opens may hold tens of
        // thousands until its end, and a cap would end the longest-idle one, the session the calls go to.
        if (kind == HostKind.MapMcp)
        {
            mcp.WithHttpTransport(o =>
            {
                o.Stateless = false;
#pragma warning disable MCP9006 // The SDK's stateful options are obsolete but still in force in 2.x.
                o.MaxIdleSessionCount = int.MaxValue;
#pragma warning restore MCP9006
            }).WithTools<LoadTools>();
        }
        else
        {
            mcp.WithTools<LoadTools>().AddMcpCompat(o =>
            {
                o.MaxSessions = int.MaxValue;
                o.MaxIdleSessions = int.MaxValue;
            });
        }

        await using var app = builder.Build();
        if (kind == HostKind.MapMcp)
        {
            app.MapMcp("/mcp");
        }
        else
        {
            app.MapMcpCompat("/mcp");
        }

        await app.StartAsync();
        Console.WriteLine($"ready {app.Urls.Single()}/mcp");
        while (await Console.In.ReadLineAsync() is { } command && command != End)
        {
            switch (command)
            {
                case Stats:
                    var allocated = GC.GetTotalAllocatedBytes(precise: true);
                    var cpu = Environment.CpuUsage.TotalTime.Ticks;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{allocated} {cpu}"));
                    break;

                case Collect:
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                    GC.WaitForPendingFinalizers();
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                    Console.WriteLine("ok");
                    break;

                default:
                    Console.Error.WriteLine($"unknown command '{command}'");
                    break;
            }
        }

        await app.StopAsync();
    }
}
