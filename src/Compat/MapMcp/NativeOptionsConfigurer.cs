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
        if (name == Microsoft.Extensions.Options.Options.DefaultName)
        {
            applier.Apply(options);
        }
    }
}
