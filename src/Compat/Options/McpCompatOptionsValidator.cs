using Microsoft.Extensions.Options;

namespace McpCompat.Options;

/// <summary>
/// Validates the values of <see cref="McpCompatOptions"/> at host start (ranges, formats), generated from the
/// settings' DataAnnotations rules (<see cref="McpCompatSettingAttribute"/>). Every failure names the setting and the
/// value. Values from configuration that did not parse are <see cref="McpCompatBindingValidator"/>'s; what a setting
/// needs from the SDK or from the application's services is checked in the Decision kernel
/// (<c>McpCompatPrerequisitesValidator</c>).
/// </summary>
[OptionsValidator]
internal sealed partial class McpCompatOptionsValidator : IValidateOptions<McpCompatOptions>;
