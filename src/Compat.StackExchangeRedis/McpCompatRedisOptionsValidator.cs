using Microsoft.Extensions.Options;

namespace McpCompat.StackExchangeRedis;

/// <summary>Validates <see cref="McpCompatRedisOptions"/> at host start; each failure names the setting and the value.</summary>
/// <remarks>Hand-written: DataAnnotations' messages (<c>[Required]</c>) name neither the key nor the value, and the configuration string is checked by StackExchange.Redis's own parser.</remarks>
internal sealed class McpCompatRedisOptionsValidator : IValidateOptions<McpCompatRedisOptions>
{
    public ValidateOptionsResult Validate(string? name, McpCompatRedisOptions options)
    {
        var result = new ValidateOptionsResultBuilder();
        if (string.IsNullOrWhiteSpace(options.Configuration))
        {
            result.AddError($"{McpCompatRedisOptions.SectionName}:{nameof(options.Configuration)} = '{options.Configuration}' is invalid: McpCompat's Redis needs a configuration string such as 127.0.0.1:6379.");
        }
        else
        {
            try
            {
                StackExchange.Redis.ConfigurationOptions.Parse(options.Configuration);
            }
            catch (ArgumentException ex)
            {
                result.AddError($"{McpCompatRedisOptions.SectionName}:{nameof(options.Configuration)} = '{options.Configuration}' is invalid: {ex.Message}.");
            }
        }

        if (string.IsNullOrWhiteSpace(options.Channel))
        {
            result.AddError($"{McpCompatRedisOptions.SectionName}:{nameof(options.Channel)} = '{options.Channel}' is invalid: the pub/sub channel needs a name.");
        }

        return result.Build();
    }
}
