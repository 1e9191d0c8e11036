using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace McpCompat;

/// <summary>
/// Binds <see cref="McpCompatOptions"/> from the environment alias and then the configuration section, so the
/// section wins over the alias and code (configured after this) wins over both. Values that do not parse are
/// recorded, with their key, for <see cref="McpCompatOptionsValidator"/> to report at host start.
/// </summary>
internal sealed class McpCompatConfigurationBinder(IConfiguration? configuration, IConfiguration? section, string sectionPath)
    : IConfigureOptions<McpCompatOptions>
{
    public void Configure(McpCompatOptions options)
    {
        var alias = configuration?[McpCompatOptions.IdleTimeoutEnvironmentVariable]
            ?? Environment.GetEnvironmentVariable(McpCompatOptions.IdleTimeoutEnvironmentVariable);
        if (alias is not null)
        {
            if (McpCompatSettingParser.TryParseSeconds(alias, out var seconds, out var problem))
            {
                options.SessionIdleTimeout = seconds;
            }
            else
            {
                options.BindingErrors.Add(McpCompatSettingParser.Invalid(McpCompatOptions.IdleTimeoutEnvironmentVariable, alias, problem!));
            }
        }

        if (section is null)
        {
            return;
        }

        Bind(section, nameof(McpCompatOptions.SessionIdleTimeout), options, static (raw, o) =>
        {
            var ok = McpCompatSettingParser.TryParseTimeSpan(raw, allowInfinite: true, out var value, out var problem);
            if (ok)
            {
                o.SessionIdleTimeout = value;
            }

            return problem;
        });
        Bind(section, nameof(McpCompatOptions.MaxIdleSessions), options, static (raw, o) =>
        {
            var ok = McpCompatSettingParser.TryParseCount(raw, out var value, out var problem);
            if (ok)
            {
                o.MaxIdleSessions = value;
            }

            return problem;
        });
        Bind(section, nameof(McpCompatOptions.Mode), options, static (raw, o) =>
        {
            var ok = McpCompatSettingParser.TryParseMode(raw, out var value, out var problem);
            if (ok)
            {
                o.Mode = value;
            }

            return problem;
        });
        Bind(section, nameof(McpCompatOptions.MaxSessions), options, static (raw, o) =>
        {
            var ok = McpCompatSettingParser.TryParseCount(raw, out var value, out var problem);
            if (ok)
            {
                o.MaxSessions = value;
            }

            return problem;
        });
        Bind(section, nameof(McpCompatOptions.KeepAliveInterval), options, static (raw, o) =>
        {
            var ok = McpCompatSettingParser.TryParseTimeSpan(raw, allowInfinite: true, out var value, out var problem);
            if (ok)
            {
                o.KeepAliveInterval = value;
            }

            return problem;
        });
        BindList(section, nameof(McpCompatOptions.AllowedHosts), options.AllowedHosts);
        BindList(section, nameof(McpCompatOptions.AllowedOrigins), options.AllowedOrigins);
        Bind(section, nameof(McpCompatOptions.SweepInterval), options, static (raw, o) =>
        {
            var ok = McpCompatSettingParser.TryParseTimeSpan(raw, allowInfinite: false, out var value, out var problem);
            if (ok)
            {
                o.SweepInterval = value;
            }

            return problem;
        });
    }

    private static void BindList(IConfiguration source, string key, IList<string> target)
    {
        foreach (var child in source.GetSection(key).GetChildren())
        {
            if (!string.IsNullOrWhiteSpace(child.Value) && !target.Contains(child.Value))
            {
                target.Add(child.Value.Trim());
            }
        }
    }

    private void Bind(IConfiguration source, string key, McpCompatOptions options, Func<string, McpCompatOptions, string?> apply)
    {
        var raw = source[key];
        if (raw is null)
        {
            return;
        }

        if (apply(raw, options) is { } problem)
        {
            options.BindingErrors.Add(McpCompatSettingParser.Invalid($"{sectionPath}:{key}", raw, problem));
        }
    }
}
