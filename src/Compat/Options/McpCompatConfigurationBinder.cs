using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace McpCompat.Options;

/// <summary>
/// Binds <see cref="McpCompatOptions"/> from the environment alias and then the configuration section, so the
/// section wins over the alias and code (configured after this) wins over both. Values that do not parse are
/// recorded, with their key, for <see cref="McpCompatBindingValidator"/> to report at host start.
/// </summary>
/// <remarks>
/// Hand-written, not the configuration binder's source generator: the generated binder throws on a value it cannot
/// convert, with a message of its own, where McpCompat reports every bad value at host start naming its key and value;
/// and it cannot read <c>infinite</c> as a time span, the alias in seconds, or numbers as the enum they are not.
/// </remarks>
internal sealed class McpCompatConfigurationBinder(IConfiguration? configuration, IConfiguration? section, string sectionPath)
    : IConfigureOptions<McpCompatOptions>
{
    public void Configure(McpCompatOptions options)
    {
        // The alias is in seconds (decimals allowed), as Python FastMCP's setting of the same name: no binder reads that.
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

        // Each value parsed here so that a bad one is recorded with its key and value instead of thrown (see remarks).
        Bind<TimeSpan>(section, nameof(McpCompatOptions.SessionIdleTimeout), options, TryParseTimeout, static (o, v) => o.SessionIdleTimeout = v);
        Bind<int>(section, nameof(McpCompatOptions.MaxIdleSessions), options, McpCompatSettingParser.TryParseCount, static (o, v) => o.MaxIdleSessions = v);
        Bind<int>(section, nameof(McpCompatOptions.MaxSessions), options, McpCompatSettingParser.TryParseCount, static (o, v) => o.MaxSessions = v);
        Bind<McpCompatMode>(section, nameof(McpCompatOptions.Mode), options, McpCompatSettingParser.TryParseMode, static (o, v) => o.Mode = v);
        Bind<TimeSpan>(section, nameof(McpCompatOptions.KeepAliveInterval), options, TryParseTimeout, static (o, v) => o.KeepAliveInterval = v);
        Bind<TimeSpan>(section, nameof(McpCompatOptions.MaxStreamAge), options, TryParseTimeout, static (o, v) => o.MaxStreamAge = v);
        Bind<TimeSpan>(section, nameof(McpCompatOptions.SessionResumeWindow), options, McpCompatSettingParser.TryParseWindow, static (o, v) => o.SessionResumeWindow = v);
        Bind<TimeSpan>(section, nameof(McpCompatOptions.SweepInterval), options, TryParseInterval, static (o, v) => o.SweepInterval = v);
        Bind<int>(section, nameof(McpCompatOptions.MaxSessionRecords), options, McpCompatSettingParser.TryParseCount, static (o, v) => o.MaxSessionRecords = v);
        Bind<int>(section, nameof(McpCompatOptions.MaxSessionRecordBytes), options, McpCompatSettingParser.TryParseRecordBytes, static (o, v) => o.MaxSessionRecordBytes = v);
        Bind<TimeSpan>(section, nameof(McpCompatOptions.SessionStoreTimeout), options, TryParseInterval, static (o, v) => o.SessionStoreTimeout = v);
        Bind<bool>(section, nameof(McpCompatOptions.Guard), options, McpCompatSettingParser.TryParseSwitch, static (o, v) => o.Guard = v);
        BindList(section, nameof(McpCompatOptions.AllowedHosts), options.AllowedHosts);
        BindList(section, nameof(McpCompatOptions.AllowedOrigins), options.AllowedOrigins);
    }

    // Trimmed, blanks skipped and duplicates left out: the binder would append each child as it is.
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

    private delegate bool TryParse<T>(string raw, out T value, out string? problem);

    private static bool TryParseTimeout(string raw, out TimeSpan value, out string? problem) =>
        McpCompatSettingParser.TryParseTimeSpan(raw, allowInfinite: true, out value, out problem);

    private static bool TryParseInterval(string raw, out TimeSpan value, out string? problem) =>
        McpCompatSettingParser.TryParseTimeSpan(raw, allowInfinite: false, out value, out problem);

    private void Bind<T>(IConfiguration source, string key, McpCompatOptions options, TryParse<T> parse, Action<McpCompatOptions, T> assign)
    {
        var raw = source[key];
        if (raw is null)
        {
            return;
        }

        if (parse(raw, out var value, out var problem))
        {
            assign(options, value);
        }
        else
        {
            options.BindingErrors.Add(McpCompatSettingParser.Invalid($"{sectionPath}:{key}", raw, problem!));
        }
    }
}
