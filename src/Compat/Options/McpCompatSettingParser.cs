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

    /// <summary>
    /// Parses the environment alias: a number of seconds (decimals allowed, invariant culture), a number with a unit
    /// (<c>30s</c>, <c>5m</c>), or <c>infinite</c>.
    /// </summary>
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

        if (TryParseWithUnit(text, out value))
        {
            problem = TimeSpanProblem(value, allowInfinite: true);
            return problem is null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || double.IsNaN(seconds) || double.IsInfinity(seconds))
        {
            problem = $"expected a number of seconds such as 30 or 1.5, a number with a unit such as 30s or 5m (or '{InfiniteWord}')";
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

    /// <summary>
    /// Parses a duration in configuration: a number with a unit (<c>30s</c>), a <see cref="TimeSpan"/> in the invariant
    /// format (<c>00:30:00</c>), or <c>infinite</c> where allowed. A bare number is refused (see <see cref="BareNumber"/>).
    /// </summary>
    public static bool TryParseTimeSpan(string raw, bool allowInfinite, out TimeSpan value, out string? problem)
    {
        var text = raw.Trim();
        if (allowInfinite && string.Equals(text, InfiniteWord, StringComparison.OrdinalIgnoreCase))
        {
            value = Timeout.InfiniteTimeSpan;
            problem = null;
            return true;
        }

        if (!TryParseDuration(text, out value, out problem))
        {
            problem ??= $"expected a time span such as 00:30:00 or a number with a unit such as 30m{(allowInfinite ? $" (or '{InfiniteWord}')" : string.Empty)}";
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

    /// <summary>Parses a window such as <see cref="McpCompatOptions.SessionResumeWindow"/>: zero (off) or a positive duration.</summary>
    public static bool TryParseWindow(string raw, out TimeSpan value, out string? problem)
    {
        if (!TryParseDuration(raw.Trim(), out value, out problem))
        {
            problem ??= "expected a time span such as 1.00:00:00 or a number with a unit such as 1d (or 00:00:00 to turn it off)";
            return false;
        }

        problem = WindowProblem(value);
        return problem is null;
    }

    /// <summary>
    /// Parses a number with a unit or an invariant <see cref="TimeSpan"/>. A bare number other than zero fails with a
    /// problem of its own, because it reads two ways; any other failure leaves <paramref name="problem"/> null.
    /// </summary>
    private static bool TryParseDuration(string text, out TimeSpan value, out string? problem)
    {
        problem = null;
        if (TryParseWithUnit(text, out value))
        {
            return true;
        }

        if (double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            if (number == 0)
            {
                value = TimeSpan.Zero;
                return true;
            }

            problem = BareNumber(text, number);
            return false;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// Why a bare number is refused in configuration: .NET's <see cref="TimeSpan"/> reads <c>30</c> as 30 days, while the
    /// environment alias (and Python FastMCP's setting it mirrors) reads it as 30 seconds. Refusing it keeps one file
    /// meaning one thing to McpCompat and to every other .NET component that binds a time span from it.
    /// </summary>
    public static string BareNumber(string text, double number)
    {
        var asTimeSpan = TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var days)
            ? $"as a .NET time span '{text}' is {Format(days)}"
            : "it is not a .NET time span";
        var asSeconds = Math.Abs(number) <= MaxTimerDuration.TotalSeconds ? $" ({Format(TimeSpan.FromSeconds(number))})" : string.Empty;
        return $"a number without a unit reads two ways: {asTimeSpan}, while {McpCompatOptions.IdleTimeoutEnvironmentVariable} reads it as {text} seconds{asSeconds}; " +
            $"write {text}s for seconds or {text}d for days (m and h for minutes and hours), or a time span such as 00:00:30";

        static string Format(TimeSpan span) => span.ToString("c", CultureInfo.InvariantCulture);
    }

    /// <summary>Parses a number and one unit: <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c> or <c>d</c> (<c>30s</c>, <c>1.5h</c>), in any case.</summary>
    public static bool TryParseWithUnit(string text, out TimeSpan value)
    {
        value = default;
        var (unit, length) = text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? (1.0, 2)
            : text.Length > 0 ? char.ToLowerInvariant(text[^1]) switch
            {
                's' => (1_000.0, 1),
                'm' => (60_000.0, 1),
                'h' => (3_600_000.0, 1),
                'd' => (86_400_000.0, 1),
                _ => (0.0, 0),
            }
            : (0.0, 0);
        if (length == 0 ||
            !double.TryParse(text.AsSpan(0, text.Length - length), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        var milliseconds = number * unit;
        if (Math.Abs(milliseconds) > TimeSpan.MaxValue.TotalMilliseconds / 2)
        {
            // Far past any timer: parsed as the longest span, for the range check to refuse with its own message.
            value = milliseconds > 0 ? TimeSpan.MaxValue : TimeSpan.MinValue;
            return true;
        }

        value = TimeSpan.FromMilliseconds(milliseconds);
        return true;
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
