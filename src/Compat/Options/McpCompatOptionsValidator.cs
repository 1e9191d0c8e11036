using Microsoft.Extensions.Options;

namespace McpCompat.Options;

/// <summary>
/// Validates the values of <see cref="McpCompatOptions"/> at host start (ranges, formats). Every failure names the
/// setting and the value. What a setting needs from the SDK or from the application's services is checked in the
/// Decision kernel (<c>McpCompatPrerequisitesValidator</c>).
/// </summary>
internal sealed class McpCompatOptionsValidator : IValidateOptions<McpCompatOptions>
{
    private const string Prefix = nameof(McpCompatOptions);

    public ValidateOptionsResult Validate(string? name, McpCompatOptions options)
    {
        var result = new ValidateOptionsResultBuilder();
        foreach (var error in options.BindingErrors)
        {
            result.AddError(error);
        }

        if (options.SessionIdleTimeout is { } idle && McpCompatSettingParser.TimeSpanProblem(idle, allowInfinite: true) is { } idleProblem)
        {
            result.AddError(McpCompatSettingParser.Invalid($"{Prefix}.{nameof(options.SessionIdleTimeout)}", idle.ToString(), idleProblem));
        }

        if (options.MaxIdleSessions is { } max && McpCompatSettingParser.CountProblem(max) is { } maxProblem)
        {
            result.AddError(McpCompatSettingParser.Invalid($"{Prefix}.{nameof(options.MaxIdleSessions)}", max.ToString(System.Globalization.CultureInfo.InvariantCulture), maxProblem));
        }

        if (McpCompatSettingParser.CountProblem(options.MaxSessions) is { } sessionsProblem)
        {
            result.AddError(McpCompatSettingParser.Invalid($"{Prefix}.{nameof(options.MaxSessions)}", options.MaxSessions.ToString(System.Globalization.CultureInfo.InvariantCulture), sessionsProblem));
        }

        if (McpCompatSettingParser.TimeSpanProblem(options.KeepAliveInterval, allowInfinite: true) is { } keepAliveProblem)
        {
            result.AddError(McpCompatSettingParser.Invalid($"{Prefix}.{nameof(options.KeepAliveInterval)}", options.KeepAliveInterval.ToString(), keepAliveProblem));
        }

        if (McpCompatSettingParser.TimeSpanProblem(options.MaxStreamAge, allowInfinite: true) is { } ageProblem)
        {
            result.AddError(McpCompatSettingParser.Invalid($"{Prefix}.{nameof(options.MaxStreamAge)}", options.MaxStreamAge.ToString(), ageProblem));
        }

        if (McpCompatSettingParser.WindowProblem(options.SessionResumeWindow) is { } windowProblem)
        {
            result.AddError(McpCompatSettingParser.Invalid($"{Prefix}.{nameof(options.SessionResumeWindow)}", options.SessionResumeWindow.ToString(), windowProblem));
        }

        if (McpCompatSettingParser.CountProblem(options.MaxSessionRecords) is { } recordsProblem)
        {
            result.AddError(McpCompatSettingParser.Invalid($"{Prefix}.{nameof(options.MaxSessionRecords)}", options.MaxSessionRecords.ToString(System.Globalization.CultureInfo.InvariantCulture), recordsProblem));
        }

        if (McpCompatSettingParser.RecordBytesProblem(options.MaxSessionRecordBytes) is { } bytesProblem)
        {
            result.AddError(McpCompatSettingParser.Invalid($"{Prefix}.{nameof(options.MaxSessionRecordBytes)}", options.MaxSessionRecordBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), bytesProblem));
        }

        if (McpCompatSettingParser.TimeSpanProblem(options.SessionStoreTimeout, allowInfinite: false) is { } storeTimeoutProblem)
        {
            result.AddError(McpCompatSettingParser.Invalid($"{Prefix}.{nameof(options.SessionStoreTimeout)}", options.SessionStoreTimeout.ToString(), storeTimeoutProblem));
        }

        if (McpCompatSettingParser.TimeSpanProblem(options.SweepInterval, allowInfinite: false) is { } sweepProblem)
        {
            result.AddError(McpCompatSettingParser.Invalid($"{Prefix}.{nameof(options.SweepInterval)}", options.SweepInterval.ToString(), sweepProblem));
        }

        if (!Enum.IsDefined(options.Mode))
        {
            result.AddError(McpCompatSettingParser.Invalid($"{Prefix}.{nameof(options.Mode)}", options.Mode.ToString(), $"expected one of {string.Join(", ", Enum.GetNames<McpCompatMode>())}"));
        }

        return result.Build();
    }
}
