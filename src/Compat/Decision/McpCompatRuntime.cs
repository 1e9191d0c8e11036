using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using McpCompat.Http;
using McpCompat.Options;
using McpCompat.Probing;
using McpCompat.Telemetry;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpCompat.Decision;

/// <summary>
/// The decision McpCompat makes for this application (once: see <see cref="DecideOnce"/>) and the one startup log
/// line that states it.
/// </summary>
[RequiresUnreferencedCode(TrimmingMessages.FindsSdkMembers)]
[RequiresDynamicCode(TrimmingMessages.BuildsCodeForSdkTypes)]
internal sealed class McpCompatRuntime : ISweeperDemand
{
    private static readonly MethodInfo ResolveOptionsMethod =
        typeof(McpCompatRuntime).GetMethod(nameof(ResolveOptions), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly IServiceProvider _services;
    private readonly McpSdkReport _report;
    private readonly HttpTransportOptionsAccessor _accessor;
    private readonly IOptions<McpCompatOptions> _options;
    private readonly SdkEndpoints _endpoints;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private McpCompatDecision? _decision;
    private int _logged;
    private string? _hostedShape;

    public McpCompatRuntime(
        IServiceProvider services,
        McpSdkReport report,
        HttpTransportOptionsAccessor accessor,
        IOptions<McpCompatOptions> options,
        SdkEndpoints endpoints,
        ILogger<McpCompatRuntime> logger)
    {
        _services = services;
        _report = report;
        _accessor = accessor;
        _options = options;
        _endpoints = endpoints;
        _logger = logger;
    }

    /// <summary>Gets what the probe found of the SDK in use.</summary>
    public McpSdkReport Report => _report;

    /// <summary>Gets the decision, making it on first use (building the SDK's options, whose post-configure step decides).</summary>
    public McpCompatDecision Decision
    {
        get
        {
            if (Volatile.Read(ref _decision) is { } made)
            {
                return made;
            }

            // With the SDK's host, building its options runs McpCompat's post-configure step, which decides.
            _ = SdkOptions;
            return DecideOnce(sdkOptions: null);
        }
    }

    /// <summary>Gets a value indicating whether McpCompat's sweeper must run: its own path, or sessions it hosts.</summary>
    public bool SweeperNeeded => IsHosting || Decision.Path is McpCompatPath.Fallback or McpCompatPath.Hosted;

    /// <summary>Gets a value indicating whether <c>MapMcpCompat</c> hosts sessions in this application.</summary>
    public bool IsHosting => Volatile.Read(ref _hostedShape) is not null;

    /// <summary>Gets the path taken, as logs, metrics, health data and the CLI name it (<see cref="McpCompatPathNames"/>).</summary>
    public string PathName => Decision.PathName;

    /// <summary>
    /// Records that <c>MapMcpCompat</c> hosts sessions over the SDK's transport of the given API shape. Mapped before
    /// the decision is made (as an application does, between building and starting), it makes the path
    /// <see cref="McpCompatPath.Hosted"/>; mapped after, beside the SDK's own <c>MapMcp</c>, the path stays the one
    /// decided for that host and McpCompat's sweeper ends the hosted sessions all the same.
    /// </summary>
    public void MarkHostedEndpoint(TransportApiShape shape) => Volatile.Write(ref _hostedShape, shape.ToName());

    /// <summary>
    /// Makes the decision, once: later calls return it. With the SDK's host this runs in McpCompat's post-configure
    /// step of the SDK's <c>HttpServerTransportOptions</c>, while they are built, because the native path writes
    /// McpCompat's settings into those very options and the SDK's session mode (<c>Stateless</c>, <c>SessionMode</c>)
    /// is final only once the application's own configuration has run: a decision read from any other snapshot could
    /// disagree with what was applied. Without the SDK's host there are no such options (<paramref name="sdkOptions"/>
    /// is <see langword="null"/>) and it runs on first use.
    /// </summary>
    public McpCompatDecision DecideOnce(object? sdkOptions)
    {
        lock (_gate)
        {
            if (_decision is null)
            {
                var stateless = sdkOptions is not null && _accessor.IsStateless(sdkOptions);
                Volatile.Write(ref _decision, McpCompatDecision.Decide(_report, _options.Value, stateless, Volatile.Read(ref _hostedShape)));
            }

            return _decision;
        }
    }

    /// <summary>Gets the SDK's configured <c>HttpServerTransportOptions</c>, or <see langword="null"/> without the AspNetCore package.</summary>
    public object? SdkOptions => _accessor.OptionsType is { } type
        ? ResolveOptionsMethod.MakeGenericMethod(type).Invoke(null, [_services])
        : null;

    /// <summary>
    /// Logs, once, what McpCompat does in this application: called when the host has started, so that what the
    /// application mapped (the SDK's <c>MapMcp</c>, <c>MapMcpCompat</c>, both or neither) is known.
    /// </summary>
    public void LogDecisionOnce()
    {
        if (Interlocked.Exchange(ref _logged, 1) != 0)
        {
            return;
        }

        var decision = Decision;
        var sdk = _report.SdkDescription;
        var options = _options.Value;
        var timeout = options.SessionIdleTimeout ?? McpCompatDefaults.SessionIdleTimeout;
        var timeoutText = timeout == Timeout.InfiniteTimeSpan ? "infinite" : timeout.ToString();
        var maxIdle = options.MaxIdleSessions ?? McpCompatDefaults.MaxIdleSessions;
        var hostedShape = Volatile.Read(ref _hostedShape);
        if (hostedShape is not null)
        {
            var core = _report.GetAssembly(SdkProbe.CoreAssembly)?.ToString() ?? sdk;
            Log.HostedPath(_logger, core, hostedShape, timeoutText, maxIdle, options.SweepInterval);
        }

        if (!SdkEndpointMapped())
        {
            // What McpCompat would do on the SDK's host is no one's concern until it is mapped.
            if (hostedShape is null && _accessor.OptionsType is null)
            {
                Log.NoHttpHost(_logger, sdk, decision.Reason);
            }
            else if (hostedShape is null)
            {
                Log.NoEndpointMapped(_logger, sdk);
            }
        }
        else
        {
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
            }
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

    /// <summary>Gets a value indicating whether the application mapped the SDK's own <c>MapMcp</c> endpoints.</summary>
    private bool SdkEndpointMapped() =>
        _services.GetService<EndpointDataSource>() is { } source && source.Endpoints.Any(_endpoints.IsSdkEndpoint);

    private static object ResolveOptions<T>(IServiceProvider services)
        where T : class => services.GetRequiredService<IOptions<T>>().Value;
}
