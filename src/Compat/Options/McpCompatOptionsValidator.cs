using McpCompat.Probing;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace McpCompat.Options;

/// <summary>
/// Validates <see cref="McpCompatOptions"/> at host start. Every failure names the setting and the value.
/// </summary>
internal sealed class McpCompatOptionsValidator(McpSdkReport report, IServiceProviderIsService? services = null) : IValidateOptions<McpCompatOptions>
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
        else if (options.SessionResumeWindow > TimeSpan.Zero && services is not null && !services.IsService(typeof(IDistributedCache)))
        {
            result.AddError(McpCompatSettingParser.Invalid(
                $"{McpCompatOptions.SectionName}:{nameof(options.SessionResumeWindow)}",
                options.SessionResumeWindow.ToString(),
                "resumable sessions keep their records in an IDistributedCache and none is registered; call services.AddDistributedMemoryCache() for one instance, or a shared cache such as AddStackExchangeRedisCache(...) for a fleet"));
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
        else if (options.Mode == McpCompatMode.Native)
        {
            var idleFeature = report.GetFeature(McpSdkFeatureKind.NativeIdleTimeout);
            if (!idleFeature.IsPresent)
            {
                result.AddError(McpCompatSettingParser.Invalid(
                    $"{McpCompatOptions.SectionName}:{nameof(options.Mode)}",
                    nameof(McpCompatMode.Native),
                    $"{report.SdkDescription} has no native idle timeout ({idleFeature.Evidence}); use Auto or Fallback"));
            }

            var maxFeature = report.GetFeature(McpSdkFeatureKind.NativeMaxIdleSessionCount);
            if (options.MaxIdleSessions is not null && !maxFeature.IsPresent)
            {
                result.AddError(McpCompatSettingParser.Invalid(
                    $"{McpCompatOptions.SectionName}:{nameof(options.Mode)}",
                    nameof(McpCompatMode.Native),
                    $"MaxIdleSessions is set and {report.SdkDescription} has no native idle-session limit ({maxFeature.Evidence}); use Auto or Fallback"));
            }
        }

        return result.Build();
    }
}
