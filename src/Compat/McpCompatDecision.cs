using McpCompat.Probing;

namespace McpCompat;

/// <summary>The path McpCompat takes and why: derived from the probe report, the options and the SDK's session mode.</summary>
internal sealed record McpCompatDecision(McpCompatPath Path, string Reason)
{
    public static McpCompatDecision Decide(McpSdkReport report, McpCompatOptions options, bool sdkIsStateless)
    {
        if (!report.Has(McpSdkFeatureKind.AspNetCoreHosting))
        {
            return new(McpCompatPath.NoHttpHost, report.GetFeature(McpSdkFeatureKind.AspNetCoreHosting).Evidence);
        }

        if (sdkIsStateless)
        {
            return new(McpCompatPath.Stateless, "HttpServerTransportOptions selects stateless Streamable HTTP");
        }

        var idle = report.GetFeature(McpSdkFeatureKind.NativeIdleTimeout);
        var maxIdle = report.GetFeature(McpSdkFeatureKind.NativeMaxIdleSessionCount);
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

        if (!idle.IsPresent)
        {
            return new(McpCompatPath.Fallback, $"the SDK has no native idle timeout ({idle.Evidence})");
        }

        if (options.MaxIdleSessions is not null && !maxIdle.IsPresent)
        {
            return new(McpCompatPath.Fallback, $"MaxIdleSessions is set and the SDK has no native limit ({maxIdle.Evidence})");
        }

        if (defect is not null)
        {
            return new(McpCompatPath.Fallback, $"advisory {defect.Id} ({defect.Package} {defect.AffectedVersions}): {defect.Summary}");
        }

        return new(McpCompatPath.Native, $"the SDK has a native idle timeout ({idle.Evidence})");
    }
}
