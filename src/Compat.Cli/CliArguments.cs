namespace McpCompat.Cli;

/// <summary>The parsed command line: <c>probe [--json] [&lt;path&gt;]</c>.</summary>
internal sealed record CliArguments(bool Help, bool Json, string? Path)
{
    public const string Usage = """
        Usage: mcpcompat probe [--json] [<path>]

        Prints what the MCP C# SDK used by <path> can do about idle sessions: its assemblies and NuGet
        versions, the features McpCompat looks for (with evidence), known-defect advisories, and the path
        McpCompat would take.

          <path>     a project folder (or project file) that has been built: its bin/ output is probed;
                     or a folder of assemblies holding ModelContextProtocol*.dll. Default: the current folder.
          --json     print JSON instead of a table.
          -h, --help print this text.

        Exit codes: 0 printed; 1 nothing to probe at <path>; 2 bad arguments.
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
        var optionsEnded = false;
        foreach (var arg in args.Skip(1))
        {
            if (!optionsEnded && arg == "--")
            {
                optionsEnded = true;
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

        return new CliArguments(help, json, path);
    }
}
