namespace Load;

/// <summary>The machine and the run, as eng/perf.sh records them in <c>run.json</c> before it asks for the report.</summary>
/// <param name="Date">The day the run started (UTC, yyyy-MM-dd).</param>
/// <param name="Commit">The commit the figures were measured on.</param>
/// <param name="Cpu">The CPU model.</param>
/// <param name="Cores">Logical cores.</param>
/// <param name="MemoryKib">Total memory, KiB.</param>
/// <param name="Os">The operating system's name.</param>
/// <param name="Kernel">The kernel release.</param>
/// <param name="DotnetSdk">The .NET SDK's version.</param>
/// <param name="Runtimes">The installed .NET runtimes.</param>
/// <param name="LoadBefore">Load average (1, 5, 15 min) before the run.</param>
/// <param name="LoadAfter">Load average (1, 5, 15 min) after the run.</param>
/// <param name="WallSeconds">The run's wall time up to the report.</param>
/// <param name="Commands">The commands run, in order.</param>
internal sealed record RunInfo(
    string Date,
    string Commit,
    string Cpu,
    int Cores,
    long MemoryKib,
    string Os,
    string Kernel,
    string DotnetSdk,
    string Runtimes,
    string LoadBefore,
    string LoadAfter,
    long WallSeconds,
    IReadOnlyList<RunCommand> Commands);

/// <summary>One command eng/perf.sh ran, and its wall time.</summary>
/// <param name="Command">The command line.</param>
/// <param name="Seconds">Its wall time.</param>
internal sealed record RunCommand(string Command, long Seconds);
