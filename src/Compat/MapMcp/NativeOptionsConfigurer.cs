using Microsoft.Extensions.Options;

namespace McpCompat.MapMcp;

/// <summary>
/// Applies McpCompat's decision to the SDK's <c>HttpServerTransportOptions</c> after every configuration of the
/// application has run. Closed over the SDK's options type by reflection once, at registration.
/// </summary>
/// <typeparam name="TOptions">The SDK's <c>HttpServerTransportOptions</c> type.</typeparam>
internal sealed class NativeOptionsConfigurer<TOptions>(NativeOptionsApplier applier) : IPostConfigureOptions<TOptions>
    where TOptions : class
{
    public void PostConfigure(string? name, TOptions options)
    {
        if (name != Microsoft.Extensions.Options.Options.DefaultName)
        {
            return;
        }

        try
        {
            applier.Apply(options);
        }
        catch (OptionsValidationException)
        {
            // McpCompat's settings are invalid: the SDK's MapMcp builds these options before the host starts, and the
            // host's start-up validation then stops the application with one message naming each setting and value.
            // Nothing is applied meanwhile; nothing is served either.
        }
    }
}
