using McpCompat.Decision;
using McpCompat.Probing;

namespace McpCompat;

/// <summary>
/// The path McpCompat takes in this application and why: made once, at startup, from the probe report, McpCompat's
/// options, the SDK's own session mode and whether <c>MapMcpCompat</c> is mapped. Inject it to read the decision
/// instead of reading logs.
/// </summary>
public sealed class McpCompatDecision
{
    internal McpCompatDecision(McpCompatPath path, string reason)
    {
        Path = path;
        Reason = reason;
    }

    /// <summary>Gets the path taken.</summary>
    public McpCompatPath Path { get; }

    /// <summary>Gets the path's name as logs, metrics (<c>mcpcompat.path</c>), the health check and the CLI show it, for example <c>native</c>.</summary>
    internal string PathName => Path.ToName();

    /// <summary>Gets why this path was taken, with the probe's evidence.</summary>
    public string Reason { get; }

    /// <inheritdoc />
    public override string ToString() => $"{PathName}: {Reason}";

    /// <summary>The decision's rules; <see cref="McpCompatRuntime"/> applies them once per application.</summary>
    /// <param name="report">What the probe found.</param>
    /// <param name="options">McpCompat's options.</param>
    /// <param name="sdkIsStateless">Whether the SDK's host runs stateless, as its options say.</param>
    /// <param name="hostedShape">The transport API shape <c>MapMcpCompat</c> hosts on, or <see langword="null"/> when it is not mapped.</param>
    internal static McpCompatDecision Decide(McpSdkReport report, McpCompatOptions options, bool sdkIsStateless, string? hostedShape = null)
    {
        if (hostedShape is not null)
        {
            return new(McpCompatPath.Hosted, $"MapMcpCompat hosts Streamable HTTP over ModelContextProtocol.Core's transport ({hostedShape} API), which has no idle timeout of its own");
        }

        if (!report.Has(McpSdkFeatureKind.AspNetCoreHosting))
        {
            return new(McpCompatPath.NoHttpHost, report.GetFeature(McpSdkFeatureKind.AspNetCoreHosting).Evidence);
        }

        if (sdkIsStateless)
        {
            return new(McpCompatPath.Stateless, "HttpServerTransportOptions selects stateless Streamable HTTP");
        }

        var defect = report.Advisories.FirstOrDefault(a => a.DisqualifiesNativeIdleTimeout);

        switch (options.Mode)
        {
            case McpCompatMode.Fallback:
                return new(McpCompatPath.Fallback, "McpCompat:Mode is Fallback; the SDK's own idle timeout is switched off");
            case McpCompatMode.Native:
                return new(McpCompatPath.Native, defect is null
                    ? "McpCompat:Mode is Native"
                    : $"McpCompat:Mode is Native despite advisory {defect.Id}: {defect.Summary}");
        }

        if (McpCompatPrerequisites.MissingForNative(report, options).FirstOrDefault() is { } missing)
        {
            return new(McpCompatPath.Fallback, missing.Kind == McpSdkFeatureKind.NativeIdleTimeout
                ? $"the SDK has no native idle timeout ({missing.Evidence})"
                : $"MaxIdleSessions is set and the SDK has no native limit ({missing.Evidence})");
        }

        if (defect is not null)
        {
            return new(McpCompatPath.Fallback, $"advisory {defect.Id} ({defect.Package} {defect.AffectedVersions}): {defect.Summary}");
        }

        return new(McpCompatPath.Native, $"the SDK has a native idle timeout ({report.GetFeature(McpSdkFeatureKind.NativeIdleTimeout).Evidence})");
    }
}
