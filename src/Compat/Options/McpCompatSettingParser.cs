using System.Globalization;

namespace McpCompat.Options;

/// <summary>Parses and range-checks McpCompat's settings, with messages that name the setting and the value.</summary>
/// <remarks>
/// Hand-written because the binder and DataAnnotations cannot say these things: <c>infinite</c> for a time span, a
/// number of seconds for the environment alias, and messages that name the key and the value. The range checks are
/// shared with the generated validator's rules (<see cref="McpCompatSettingAttribute"/>).
/// </remarks>
internal static class McpCompatSettingParser
{
    /// <summary>The longest wait a .NET timer can hold: 4,294,967,294 ms (about 49.7 days).</summary>
    public static readonly TimeSpan MaxTimerDuration = TimeSpan.FromMilliseconds(uint.MaxValue - 1.0);

    private const string InfiniteWord = "infinite";

    public static string Invalid(string key, string? raw, string problem) => $"{key} = '{raw}' is invalid: {problem}.";

    /// <summary>Parses a number of seconds (decimals allowed, invariant culture) or <c>infinite</c>.</summary>
    public static bool TryParseSeconds(string raw, out TimeSpan value, out string? problem)
    {
        value = default;
        var text = raw.Trim();
        if (string.Equals(text, InfiniteWord, StringComparison.OrdinalIgnoreCase))
        {
            value = Timeout.InfiniteTimeSpan;
            problem = null;
            return true;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || double.IsNaN(seconds) || double.IsInfinity(seconds))
        {
            problem = $"expected a number of seconds such as 30 or 1.5 (or '{InfiniteWord}')";
            return false;
        }

        if (seconds <= 0)
        {
            problem = $"the number of seconds must be greater than zero (use '{InfiniteWord}' to disable the timeout)";
            return false;
        }

        if (seconds > MaxTimerDuration.TotalSeconds)
        {
            problem = $"the number of seconds must be at most {MaxTimerDuration.TotalSeconds.ToString(CultureInfo.InvariantCulture)}, the longest a timer can wait";
            return false;
        }

        value = TimeSpan.FromSeconds(seconds);
        problem = null;
        return true;
    }

    /// <summary>Parses a <see cref="TimeSpan"/> in the invariant format (<c>00:30:00</c>), or <c>infinite</c> where allowed.</summary>
    public static bool TryParseTimeSpan(string raw, bool allowInfinite, out TimeSpan value, out string? problem)
    {
        var text = raw.Trim();
        if (allowInfinite && string.Equals(text, InfiniteWord, StringComparison.OrdinalIgnoreCase))
        {
            value = Timeout.InfiniteTimeSpan;
            problem = null;
            return true;
        }

        if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value))
        {
            problem = $"expected a time span such as 00:30:00{(allowInfinite ? $" (or '{InfiniteWord}')" : string.Empty)}";
            return false;
        }

        problem = TimeSpanProblem(value, allowInfinite);
        return problem is null;
    }

    /// <summary>Returns what is wrong with a duration, or <see langword="null"/> when it is usable.</summary>
    public static string? TimeSpanProblem(TimeSpan value, bool allowInfinite)
    {
        if (value == Timeout.InfiniteTimeSpan && allowInfinite)
        {
            return null;
        }

        if (value <= TimeSpan.Zero)
        {
            return allowInfinite
                ? $"it must be greater than zero (use '{InfiniteWord}' or Timeout.InfiniteTimeSpan to disable it)"
                : "it must be greater than zero";
        }

        return value > MaxTimerDuration ? $"it must be at most {MaxTimerDuration}, the longest a timer can wait" : null;
    }

    /// <summary>Parses a window such as <see cref="McpCompatOptions.SessionResumeWindow"/>: zero (off) or a positive time span.</summary>
    public static bool TryParseWindow(string raw, out TimeSpan value, out string? problem)
    {
        if (!TimeSpan.TryParse(raw.Trim(), CultureInfo.InvariantCulture, out value))
        {
            problem = "expected a time span such as 1.00:00:00 (or 00:00:00 to turn it off)";
            return false;
        }

        problem = WindowProblem(value);
        return problem is null;
    }

    /// <summary>Returns what is wrong with a window (zero is off), or <see langword="null"/> when it is usable.</summary>
    public static string? WindowProblem(TimeSpan value) => value < TimeSpan.Zero
        ? "it must be zero (off) or a positive time span such as 1.00:00:00; a record that never expires is not offered"
        : null;

    public static bool TryParseCount(string raw, out int value, out string? problem)
    {
        if (!int.TryParse(raw.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out value))
        {
            problem = "expected a whole number such as 10000";
            return false;
        }

        problem = CountProblem(value);
        return problem is null;
    }

    public static string? CountProblem(int value) => value < 1 ? "it must be at least 1" : null;

    /// <summary>Parses a record size in bytes (<see cref="McpCompatOptions.MaxSessionRecordBytes"/>).</summary>
    public static bool TryParseRecordBytes(string raw, out int value, out string? problem)
    {
        if (!int.TryParse(raw.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out value))
        {
            problem = "expected a whole number of bytes such as 4096";
            return false;
        }

        problem = RecordBytesProblem(value);
        return problem is null;
    }

    public static string? RecordBytesProblem(int value) => value < McpCompatDefaults.MinSessionRecordBytes
        ? $"it must be at least {McpCompatDefaults.MinSessionRecordBytes} bytes, below which no client's record fits"
        : null;

    /// <summary>Parses <c>true</c> or <c>false</c>, in any case.</summary>
    public static bool TryParseSwitch(string raw, out bool value, out string? problem)
    {
        problem = bool.TryParse(raw.Trim(), out value) ? null : "expected true or false";
        return problem is null;
    }

    public static bool TryParseMode(string raw, out McpCompatMode value, out string? problem)
    {
        var text = raw.Trim();
        foreach (var mode in Enum.GetValues<McpCompatMode>())
        {
            if (string.Equals(mode.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                value = mode;
                problem = null;
                return true;
            }
        }

        value = default;
        problem = $"expected one of {string.Join(", ", Enum.GetNames<McpCompatMode>())}";
        return false;
    }
}
