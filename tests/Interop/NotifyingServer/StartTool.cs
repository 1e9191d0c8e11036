using System.ComponentModel;
using ModelContextProtocol.Server;

namespace NotifyingServer;

/// <summary>The tool a client calls once its GET stream is open: its session starts pushing notifications on that stream.</summary>
[McpServerToolType]
public sealed class StartTool
{
    [McpServerTool(Name = "start"), Description("Starts pushing notifications on the caller's GET stream; answers at once.")]
    public static string Start(
        McpServer server,
        SessionServers sessions,
        [Description("How long to push, in seconds.")] double seconds = 30,
        [Description("The seed of the schedule of bursts and pauses.")] int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(sessions);
        return sessions.Start(server.SessionId, TimeSpan.FromSeconds(seconds), seed)
            ? $"pushing for {seconds} s"
            : $"no session {server.SessionId} (or it is pushing already)";
    }
}
