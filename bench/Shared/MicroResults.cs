namespace McpCompat.Benchmarks;

/// <summary>What bench/Micro measured: written by bench/Micro (<c>--json</c>), read by bench/Load's report.</summary>
/// <param name="Job">BenchmarkDotNet's job id.</param>
/// <param name="WarmupCount">Warm-up iterations per case.</param>
/// <param name="IterationCount">Measured iterations per case.</param>
/// <param name="Cases">One entry per benchmark case.</param>
/// <param name="Footprint">McpCompat's managed bytes per tracked session, one reading per size.</param>
internal sealed record MicroResults(string Job, int WarmupCount, int IterationCount, IReadOnlyList<MicroCase> Cases, IReadOnlyList<FootprintReading> Footprint);

/// <summary>One BenchmarkDotNet case; times in nanoseconds per operation.</summary>
/// <param name="Type">The benchmark class.</param>
/// <param name="Method">The benchmark method.</param>
/// <param name="Description">The benchmark's description, as BenchmarkDotNet shows it.</param>
/// <param name="Tracked">The <c>Tracked</c> parameter: sessions in the tracker.</param>
/// <param name="MeanNanoseconds">Mean time per operation.</param>
/// <param name="ErrorNanoseconds">Half the 99.9 % confidence interval of the mean (BenchmarkDotNet's "Error").</param>
/// <param name="StdDevNanoseconds">Standard deviation over the iterations.</param>
/// <param name="MinNanoseconds">Fastest iteration.</param>
/// <param name="MaxNanoseconds">Slowest iteration.</param>
/// <param name="Iterations">Iterations the statistics are over.</param>
/// <param name="AllocatedBytes">Managed bytes allocated per operation, when known.</param>
internal sealed record MicroCase(
    string Type,
    string Method,
    string Description,
    int Tracked,
    double MeanNanoseconds,
    double ErrorNanoseconds,
    double StdDevNanoseconds,
    double MinNanoseconds,
    double MaxNanoseconds,
    int Iterations,
    long? AllocatedBytes);

/// <summary>McpCompat's managed bytes per tracked session with <paramref name="Tracked"/> sessions tracked.</summary>
/// <param name="Tracked">Sessions tracked.</param>
/// <param name="BytesPerSession">Managed bytes per tracked session.</param>
internal sealed record FootprintReading(int Tracked, double BytesPerSession);
