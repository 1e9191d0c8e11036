using McpCompat.Options;
using McpCompat.Probing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace McpCompat.Decision;

/// <summary>
/// Fails the host's start when a setting asks for what the SDK or the application's services do not have
/// (<see cref="McpCompatPrerequisites"/>); each failure names the setting, the value and the remedy. The settings' own
/// values are <see cref="McpCompatOptionsValidator"/>'s.
/// </summary>
internal sealed class McpCompatPrerequisitesValidator(McpSdkReport report, IServiceProviderIsService services) : IValidateOptions<McpCompatOptions>
{
    public ValidateOptionsResult Validate(string? name, McpCompatOptions options)
    {
        var result = new ValidateOptionsResultBuilder();
        if (McpCompatPrerequisites.LacksRecordStore(options, services))
        {
            result.AddError(McpCompatSettingParser.Invalid(
                $"{McpCompatOptions.SectionName}:{nameof(options.SessionResumeWindow)}",
                options.SessionResumeWindow.ToString(),
                "resumable sessions keep their records in an IDistributedCache and none is registered; call services.AddDistributedMemoryCache() for one instance, or a shared cache such as AddStackExchangeRedisCache(...) for a fleet"));
        }

        if (options.Mode == McpCompatMode.Native)
        {
            foreach (var missing in McpCompatPrerequisites.MissingForNative(report, options))
            {
                result.AddError(McpCompatSettingParser.Invalid(
                    $"{McpCompatOptions.SectionName}:{nameof(options.Mode)}",
                    nameof(McpCompatMode.Native),
                    missing.Kind == McpSdkFeatureKind.NativeIdleTimeout
                        ? $"{report.SdkDescription} has no native idle timeout ({missing.Evidence}); use Auto or Fallback"
                        : $"MaxIdleSessions is set and {report.SdkDescription} has no native idle-session limit ({missing.Evidence}); use Auto or Fallback"));
            }
        }

        return result.Build();
    }
}
