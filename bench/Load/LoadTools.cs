using System.ComponentModel;
using ModelContextProtocol.Server;

namespace Load;

/// <summary>The sample server's answering tool: the request mix calls it.</summary>
[McpServerToolType]
internal sealed class LoadTools
{
    [McpServerTool(Name = "echo"), Description("Returns the message it is given.")]
    public static string Echo([Description("The message to return.")] string message) => message;
}
