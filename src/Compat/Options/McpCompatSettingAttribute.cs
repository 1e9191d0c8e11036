using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace McpCompat.Options;

/// <summary>
/// A DataAnnotations rule on a setting of <see cref="McpCompatOptions"/>, checked by the source-generated
/// <see cref="McpCompatOptionsValidator"/>. Hand-written rather than <see cref="RangeAttribute"/> and its kin because
/// McpCompat's messages name the setting and its value (<c>McpCompatOptions.MaxSessions = '0' is invalid: …</c>),
/// which DataAnnotations' own messages cannot; a value left unset (<see langword="null"/>) is not checked.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal abstract class McpCompatSettingAttribute : ValidationAttribute
{
    /// <summary>What is wrong with <paramref name="value"/>, or <see langword="null"/> when it is usable.</summary>
    protected abstract string? Problem(object value);

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is null || Problem(value) is not { } problem)
        {
            return ValidationResult.Success;
        }

        var text = value is IFormattable formattable ? formattable.ToString(null, CultureInfo.InvariantCulture) : value.ToString();
        return new ValidationResult(McpCompatSettingParser.Invalid($"{validationContext.ObjectType.Name}.{validationContext.MemberName}", text, problem));
    }
}

/// <summary>A duration a timer can wait: positive and at most <see cref="McpCompatSettingParser.MaxTimerDuration"/>, or infinite where allowed.</summary>
internal sealed class TimerDurationAttribute(bool allowInfinite) : McpCompatSettingAttribute
{
    public bool AllowInfinite { get; } = allowInfinite;

    protected override string? Problem(object value) => McpCompatSettingParser.TimeSpanProblem((TimeSpan)value, AllowInfinite);
}

/// <summary>A count of at least 1.</summary>
internal sealed class CountAttribute : McpCompatSettingAttribute
{
    protected override string? Problem(object value) => McpCompatSettingParser.CountProblem((int)value);
}

/// <summary>A window such as <see cref="McpCompatOptions.SessionResumeWindow"/>: zero (off) or positive.</summary>
internal sealed class WindowAttribute : McpCompatSettingAttribute
{
    protected override string? Problem(object value) => McpCompatSettingParser.WindowProblem((TimeSpan)value);
}

/// <summary>A record size of at least <see cref="McpCompatDefaults.MinSessionRecordBytes"/> bytes.</summary>
internal sealed class RecordBytesAttribute : McpCompatSettingAttribute
{
    protected override string? Problem(object value) => McpCompatSettingParser.RecordBytesProblem((int)value);
}

/// <summary>One of the values of <see cref="McpCompatMode"/>.</summary>
internal sealed class ModeAttribute : McpCompatSettingAttribute
{
    protected override string? Problem(object value) =>
        Enum.IsDefined((McpCompatMode)value) ? null : $"expected one of {string.Join(", ", Enum.GetNames<McpCompatMode>())}";
}
