using System.Globalization;

namespace Load;

/// <summary>How the report writes figures: invariant culture, a unit that suits the size, a spread beside the figure.</summary>
internal static class Figures
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static double Mib(long bytes) => bytes / 1024.0 / 1024.0;

    /// <summary>A measured time in nanoseconds, in ns, µs or ms: "236.1 ns", "8.16 ms".</summary>
    public static string Duration(double nanoseconds) => double.IsNaN(nanoseconds) ? "?" : InUnit(nanoseconds, "N1", "N2");

    /// <summary>A mean time and its error (both in nanoseconds), each in the unit that suits it: "6.89 ms ± 3.94 ms".</summary>
    public static string DurationAndError(double mean, double error) => $"{Duration(mean)} ± {Duration(error)}";

    /// <summary>A round time limit in nanoseconds, without trailing zeros: "50 µs", "20 ms".</summary>
    public static string Limit(double nanoseconds) => InUnit(nanoseconds, "0.##", "0.##");

    /// <summary>Both ends of <paramref name="spread"/> in <paramref name="format"/>: "-2 – 12", "0.851 – 1.486".</summary>
    public static string Range(Spread spread, string format) =>
        $"{spread.Low.ToString(format, Invariant)} – {spread.High.ToString(format, Invariant)}";

    private static string InUnit(double nanoseconds, string nanosecondFormat, string format) => nanoseconds switch
    {
        < 1_000 => $"{nanoseconds.ToString(nanosecondFormat, Invariant)} ns",
        < 1_000_000 => $"{(nanoseconds / 1_000).ToString(format, Invariant)} µs",
        _ => $"{(nanoseconds / 1_000_000).ToString(format, Invariant)} ms",
    };
}
