namespace McpCompat.Cli;

/// <summary>The parsed command line: <c>probe [--json] [&lt;path&gt;]</c> or <c>probe [--json] --gateway &lt;url&gt;</c>.</summary>
internal sealed record CliArguments(bool Help, bool Json, string? Path, string? Gateway = null)
{
    public const string Usage = """
        Usage: mcpcompat probe [--json] [<path>]
               mcpcompat probe [--json] --gateway <url>

        Prints what the MCP C# SDK used by <path> can do about idle sessions: its assemblies and NuGet
        versions, the features McpCompat looks for (with evidence), known-defect advisories, and the path
        McpCompat would take.

        With --gateway, prints what McpCompat Gateway at <url> (its MCP endpoint) has learned of each of its
        upstreams on the wire: serverInfo, protocol revisions, whether it ends sessions itself and whether it
        honours DELETE. The gateway answers this to its own machine only (run it there, or through a port
        forward).

          <path>          a project folder (or project file) that has been built: its bin/ output is probed;
                          or a folder of assemblies holding ModelContextProtocol*.dll. Default: the current folder.
          --gateway <url> the gateway's MCP endpoint, such as http://127.0.0.1:8080/mcp.
          --json          print JSON instead of a table.
          -h, --help      print this text.

        Exit codes: 0 printed; 1 nothing to probe at <path> (or no gateway report at <url>); 2 bad arguments.
        """;

    /// <summary>Parses the arguments; <see langword="null"/> with an error message when they are not valid.</summary>
    public static CliArguments? Parse(IReadOnlyList<string> args, out string? error)
    {
        error = null;
        if (args.Count == 1 && args[0] is "-h" or "--help" or "help")
        {
            return new CliArguments(Help: true, Json: false, Path: null);
        }

        if (args.Count == 0)
        {
            error = "a command is required.";
            return null;
        }

        if (args[0] != "probe")
        {
            error = $"unknown command '{args[0]}'.";
            return null;
        }

        var json = false;
        var help = false;
        string? path = null;
        string? gateway = null;
        var optionsEnded = false;
        var rest = args.Skip(1).ToList();
        for (var i = 0; i < rest.Count; i++)
        {
            var arg = rest[i];
            if (!optionsEnded && arg == "--")
            {
                optionsEnded = true;
            }
            else if (!optionsEnded && arg == "--gateway")
            {
                if (i + 1 >= rest.Count || gateway is not null)
                {
                    error = gateway is null ? "--gateway needs a URL, such as http://127.0.0.1:8080/mcp." : "one --gateway at most.";
                    return null;
                }

                gateway = rest[++i];
            }
            else if (!optionsEnded && arg == "--json")
            {
                json = true;
            }
            else if (!optionsEnded && arg is "-h" or "--help")
            {
                help = true;
            }
            else if (!optionsEnded && arg.StartsWith('-') && arg.Length > 1)
            {
                error = $"unknown option '{arg}'.";
                return null;
            }
            else if (path is null)
            {
                path = arg;
            }
            else
            {
                error = $"one path at most ('{path}', then '{arg}').";
                return null;
            }
        }

        if (gateway is not null && path is not null)
        {
            error = $"a path ('{path}') or --gateway, not both.";
            return null;
        }

        return new CliArguments(help, json, path, gateway);
    }
}
