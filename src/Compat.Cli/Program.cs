using McpCompat.Cli;

return ProbeCommand.Run(args, Console.Out, Console.Error, Environment.CurrentDirectory);
