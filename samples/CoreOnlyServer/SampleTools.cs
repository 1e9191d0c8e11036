using System.ComponentModel;
using ModelContextProtocol.Server;

namespace CoreOnlyServer;

/// <summary>The sample's tools: one that answers at once, one that keeps a request in flight.</summary>
[McpServerToolType]
public sealed class SampleTools
{
    [McpServerTool(Name = "echo"), Description("Returns the message it is given.")]
    public static string Echo([Description("The message to return.")] string message) => message;

    [McpServerTool(Name = "slow"), Description("Waits the given number of seconds, then answers: keeps a request in flight.")]
    public static async Task<string> Slow([Description("How long to wait, in seconds.")] double seconds, CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
        return $"waited {seconds} s";
    }
}
