namespace Load;

/// <summary>
/// Words for a measured difference, earned only outside the measured spread: a target is met (or missed) when the
/// whole spread lies on its side; McpCompat is better (or worse) than what it is compared with when the two spreads do
/// not overlap. Anything else is within the spread, and so is nothing to claim.
/// </summary>
internal static class Verdict
{
    public const string Met = "met";
    public const string Missed = "missed";
    public const string Better = "better";
    public const string Worse = "worse";
    public const string WithinSpread = "within the spread";
    public const string NoSpread = "no spread measured";

    /// <summary>Met when all of <paramref name="measured"/> is at most <paramref name="target"/>, missed when all of it is above.</summary>
    public static string AtMost(double target, Spread measured) =>
        !measured.IsKnown ? NoSpread : measured.High <= target ? Met : measured.Low > target ? Missed : WithinSpread;

    /// <summary>Met when all of <paramref name="measured"/> is at least <paramref name="target"/>, missed when all of it is below.</summary>
    public static string AtLeast(double target, Spread measured) =>
        !measured.IsKnown ? NoSpread : measured.Low >= target ? Met : measured.High < target ? Missed : WithinSpread;

    /// <summary>Better when McpCompat's spread lies wholly on the good side of the other's, worse when wholly on the bad side.</summary>
    /// <param name="mcpCompat">McpCompat's figure.</param>
    /// <param name="other">What it is compared with.</param>
    /// <param name="lowerIsBetter">Whether a lower figure is the better one (times, lateness, memory); otherwise higher (throughput).</param>
    public static string Versus(Spread mcpCompat, Spread other, bool lowerIsBetter = true)
    {
        if (!mcpCompat.IsKnown || !other.IsKnown)
        {
            return NoSpread;
        }

        var below = mcpCompat.High < other.Low;
        var above = mcpCompat.Low > other.High;
        return below ? (lowerIsBetter ? Better : Worse) : above ? (lowerIsBetter ? Worse : Better) : WithinSpread;
    }
}
