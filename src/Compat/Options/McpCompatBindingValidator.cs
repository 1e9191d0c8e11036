using Microsoft.Extensions.Options;

namespace McpCompat.Options;

/// <summary>
/// Fails the host's start for each value from configuration or the environment alias that did not parse, as
/// <see cref="McpCompatConfigurationBinder"/> recorded it, with its key and value.
/// </summary>
internal sealed class McpCompatBindingValidator : IValidateOptions<McpCompatOptions>
{
    public ValidateOptionsResult Validate(string? name, McpCompatOptions options) =>
        options.BindingErrors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(options.BindingErrors);
}
