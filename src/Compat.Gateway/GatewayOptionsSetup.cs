using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace McpCompat.Gateway;

/// <summary>
/// Binds <see cref="McpCompatGatewayOptions"/> from <c>McpCompat:Gateway</c>: a list given there replaces the default
/// one (the configuration binder would add to it), as children (<c>SessionHeaders:0</c>, …) or as one comma-separated value.
/// </summary>
internal sealed class GatewayOptionsSetup(IConfiguration? configuration, string sectionPath) : IConfigureOptions<McpCompatGatewayOptions>
{
    public void Configure(McpCompatGatewayOptions options)
    {
        if (configuration?.GetSection(sectionPath).GetSection(nameof(McpCompatGatewayOptions.SessionHeaders)) is not { } headers)
        {
            return;
        }

        var children = headers.GetChildren().Select(c => c.Value).OfType<string>().ToList();
        if (headers.Value is null && children.Count == 0)
        {
            return;
        }

        options.SessionHeaders.Clear();
        foreach (var name in (headers.Value is { } value ? [value] : children).SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            options.SessionHeaders.Add(name);
        }
    }
}
