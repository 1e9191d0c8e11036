using System.Reflection;
using System.Text.Json;
using McpCompat.Probing;
namespace McpCompat.Cli;

/// <summary><c>mcpcompat probe [--json] [&lt;path&gt;]</c>: finds the target's SDK assemblies, probes them in isolation, prints.</summary>
internal static class ProbeCommand
{
    public const int Success = 0;
    public const int NothingToProbe = 1;
    public const int BadArguments = 2;

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, string currentDirectory)
    {
        var parsed = CliArguments.Parse(args, out var error);
        if (parsed is null)
        {
            stderr.WriteLine($"mcpcompat: {error}");
            stderr.WriteLine();
            stderr.WriteLine(CliArguments.Usage);
            return BadArguments;
        }

        if (parsed.Help)
        {
            stdout.WriteLine(CliArguments.Usage);
            return Success;
        }

        if (parsed.Gateway is { } gateway)
        {
            return GatewayProbeCommand.Run(gateway, parsed.Json, stdout, stderr);
        }

        var target = ProbeTarget.Locate(Path.Combine(currentDirectory, parsed.Path ?? "."), out var locateError);
        if (target is null)
        {
            stderr.WriteLine($"mcpcompat: {locateError}");
            return NothingToProbe;
        }

        var output = Probe(target with { Given = parsed.Path ?? "." });
        if (parsed.Json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(output, ProbeJsonContext.Default.ProbeOutput));
        }
        else
        {
            ProbeTableWriter.Write(output, stdout);
        }

        return Success;
    }

    /// <summary>Probes the target's assemblies in a collectible load context and unloads it afterwards.</summary>
    public static ProbeOutput Probe(ProbeTarget target)
    {
        var context = new IsolatedSdkLoadContext(target.AssemblyFolder);
        try
        {
            var problems = new List<string>();
            var loaded = context.LoadSdkAssemblies(problems);
            var report = McpSdkProbe.Inspect(loaded.Select(l => l.Assembly));
            var files = loaded.ToDictionary(l => Name(l.Assembly), l => l.File, StringComparer.OrdinalIgnoreCase);
            return ProbeOutput.From(target, report, files, problems);
        }
        finally
        {
            context.Unload();
        }
    }

    private static string Name(Assembly assembly) => assembly.GetName().Name ?? string.Empty;
}
