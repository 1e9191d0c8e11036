using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using McpCompat.Native;
using McpCompat.Probing;
using McpCompat.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpCompat;

/// <summary>
/// The decision McpCompat made for this application (computed once, on first use, from the probe report,
/// the options and the SDK's own options) and the one startup log line that states it.
/// </summary>
[RequiresUnreferencedCode(TrimmingMessages.FindsSdkMembers)]
[RequiresDynamicCode(TrimmingMessages.BuildsCodeForSdkTypes)]
internal sealed class McpCompatRuntime
{
    private static readonly MethodInfo ResolveOptionsMethod =
        typeof(McpCompatRuntime).GetMethod(nameof(ResolveOptions), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly IServiceProvider _services;
    private readonly McpSdkReport _report;
    private readonly HttpTransportOptionsAccessor _accessor;
    private readonly IOptions<McpCompatOptions> _options;
    private readonly ILogger _logger;
    private readonly Lazy<McpCompatDecision> _decision;
    private int _logged;
    private string? _hostedShape;

    public McpCompatRuntime(
        IServiceProvider services,
        McpSdkReport report,
        HttpTransportOptionsAccessor accessor,
        IOptions<McpCompatOptions> options,
        ILogger<McpCompatRuntime> logger)
    {
        _services = services;
        _report = report;
        _accessor = accessor;
        _options = options;
        _logger = logger;
        _decision = new(() => McpCompatDecision.Decide(_report, _options.Value, SdkOptions is { } sdk && _accessor.IsStateless(sdk)));
    }

    public McpCompatDecision Decision => _decision.Value;

    /// <summary>Gets a value indicating whether McpCompat's sweeper must run: its own path, or sessions it hosts.</summary>
    public bool SweeperNeeded => _hostedShape is not null || Decision.Path == McpCompatPath.Fallback;

    /// <summary>Gets a value indicating whether <c>MapMcpCompat</c> hosts sessions in this application.</summary>
    public bool IsHosting => _hostedShape is not null;

    /// <summary>
    /// Gets the path taken, as telemetry and health data name it: <c>hosted</c> when <c>MapMcpCompat</c> hosts sessions,
    /// else <c>native</c>, <c>fallback</c>, <c>stateless</c> or <c>no_http_host</c>.
    /// </summary>
    public string PathName => IsHosting
        ? "hosted"
        : Decision.Path switch
        {
            McpCompatPath.Native => "native",
            McpCompatPath.Fallback => "fallback",
            McpCompatPath.Stateless => "stateless",
            _ => "no_http_host",
        };

    /// <summary>Records that <c>MapMcpCompat</c> hosts sessions over the SDK's transport of the given API shape.</summary>
    public void MarkHostedEndpoint(string shape) => _hostedShape = shape;

    /// <summary>Gets the SDK's configured <c>HttpServerTransportOptions</c>, or <see langword="null"/> without the AspNetCore package.</summary>
    public object? SdkOptions => _accessor.OptionsType is { } type
        ? ResolveOptionsMethod.MakeGenericMethod(type).Invoke(null, [_services])
        : null;

    public void LogDecisionOnce()
    {
        if (Interlocked.Exchange(ref _logged, 1) != 0)
        {
            return;
        }

        var decision = Decision;
        var sdk = _report.SdkDescription;
        var options = _options.Value;
        var timeout = options.SessionIdleTimeout ?? McpCompatOptions.DefaultSessionIdleTimeout;
        var timeoutText = timeout == Timeout.InfiniteTimeSpan ? "infinite" : timeout.ToString();
        var maxIdle = options.MaxIdleSessions ?? McpCompatOptions.DefaultMaxIdleSessions;
        if (_hostedShape is { } shape)
        {
            var core = _report.GetAssembly(SdkProbe.CoreAssembly)?.ToString() ?? sdk;
            Log.HostedPath(_logger, core, shape, timeoutText, maxIdle, options.SweepInterval);
        }

        switch (decision.Path)
        {
            case McpCompatPath.Native:
                var sdkOptions = SdkOptions!;
                var appliedTimeout = _accessor.GetIdleTimeout(sdkOptions)?.ToString() ?? "n/a";
                var appliedMax = _accessor.GetMaxIdleSessionCount(sdkOptions)?.ToString(CultureInfo.InvariantCulture) ?? "n/a";
                Log.NativePath(_logger, sdk, appliedTimeout, appliedMax, decision.Reason);
                break;
            case McpCompatPath.Fallback:
                Log.FallbackPath(_logger, sdk, timeoutText, maxIdle, options.SweepInterval, decision.Reason);
                break;
            case McpCompatPath.Stateless:
                Log.StatelessPath(_logger, sdk, decision.Reason);
                break;
            case McpCompatPath.NoHttpHost when _hostedShape is null:
                Log.NoHttpHost(_logger, sdk, decision.Reason);
                break;
        }

        foreach (var advisory in _report.Advisories)
        {
            var version = _report.GetAssembly(advisory.Package)?.Version;
            if (advisory.OnlyWhenStateless && decision.Path != McpCompatPath.Stateless)
            {
                // Stateless by default, but this server keeps sessions: saying so beside "the idle timeout is in charge" would contradict it.
                Log.AdvisoryNotInEffect(_logger, advisory.Id, advisory.Package, version, advisory.AffectedVersions, advisory.Summary);
                continue;
            }

            Log.Advisory(_logger, advisory.Id, advisory.Package, version, advisory.AffectedVersions, advisory.Summary);
        }
    }

    private static object ResolveOptions<T>(IServiceProvider services)
        where T : class => services.GetRequiredService<IOptions<T>>().Value;
}
