namespace Load;

/// <summary>The range a measured figure was seen in: min – max over rounds or sessions, or a mean ± its error.</summary>
/// <param name="Low">The low end.</param>
/// <param name="High">The high end.</param>
internal readonly record struct Spread(double Low, double High)
{
    /// <summary>Gets a value indicating whether both ends were measured (a statistic of too few iterations is NaN).</summary>
    public bool IsKnown => !double.IsNaN(Low) && !double.IsNaN(High);

    /// <summary>A mean and half its confidence interval (BenchmarkDotNet's "Error").</summary>
    public static Spread Around(double mean, double error) => new(mean - error, mean + error);

    /// <summary>A figure known exactly, such as the neutral value a ratio or a difference is compared with.</summary>
    public static Spread Exactly(double value) => new(value, value);

    /// <summary>The smallest and largest of <paramref name="values"/>.</summary>
    public static Spread Of(IEnumerable<double> values)
    {
        var list = values.ToList();
        return list.Count == 0 ? new(double.NaN, double.NaN) : new(list.Min(), list.Max());
    }
}
