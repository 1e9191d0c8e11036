using McpCompat.Probing;
using NuGet.Versioning;

namespace McpCompat.Tests;

/// <summary>The decision table, on reports made for the purpose (features and advisories chosen per case).</summary>
public sealed class McpCompatDecisionTests
{
    private static McpSdkReport Report(bool hosting = true, bool idle = true, bool maxIdle = true, string? aspNetCoreVersion = "2.3.1")
    {
        McpSdkFeature F(McpSdkFeatureKind kind, bool present) => new(kind, present, present ? $"{kind} found" : $"{kind} missing");
        var advisories = aspNetCoreVersion is null ? [] : KnownDefects.For(SdkProbe.AspNetCoreAssembly, NuGetVersion.Parse(aspNetCoreVersion)).ToList();
        return new McpSdkReport(
            [],
            [
                F(McpSdkFeatureKind.AspNetCoreHosting, hosting),
                F(McpSdkFeatureKind.NativeIdleTimeout, hosting && idle),
                F(McpSdkFeatureKind.NativeMaxIdleSessionCount, hosting && maxIdle),
            ],
            advisories,
            new ProbedMembers());
    }

    [Fact]
    public void NoAspNetCoreHost_NothingToAttachTo()
    {
        var decision = McpCompatDecision.Decide(Report(hosting: false), new McpCompatOptions(), sdkIsStateless: false);

        Assert.Equal(McpCompatPath.NoHttpHost, decision.Path);
        Assert.Contains("AspNetCoreHosting missing", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(McpCompatMode.Auto)]
    [InlineData(McpCompatMode.Native)]
    [InlineData(McpCompatMode.Fallback)]
    public void StatelessSdk_NothingToExpire_WhateverTheMode(McpCompatMode mode)
    {
        Assert.Equal(McpCompatPath.Stateless, McpCompatDecision.Decide(Report(), new McpCompatOptions { Mode = mode }, sdkIsStateless: true).Path);
    }

    [Fact]
    public void Auto_FeaturePresentNoDefect_Native()
    {
        var decision = McpCompatDecision.Decide(Report(), new McpCompatOptions(), sdkIsStateless: false);

        Assert.Equal(McpCompatPath.Native, decision.Path);
        Assert.Contains("NativeIdleTimeout found", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_IdleTimeoutMissing_FallbackWithEvidence()
    {
        var decision = McpCompatDecision.Decide(Report(idle: false), new McpCompatOptions(), sdkIsStateless: false);

        Assert.Equal(McpCompatPath.Fallback, decision.Path);
        Assert.Contains("NativeIdleTimeout missing", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_MaxIdleSetButSdkHasNoLimit_Fallback()
    {
        var unset = McpCompatDecision.Decide(Report(maxIdle: false), new McpCompatOptions(), sdkIsStateless: false);
        var set = McpCompatDecision.Decide(Report(maxIdle: false), new McpCompatOptions { MaxIdleSessions = 10 }, sdkIsStateless: false);

        Assert.Equal(McpCompatPath.Native, unset.Path);
        Assert.Equal(McpCompatPath.Fallback, set.Path);
        Assert.Contains("NativeMaxIdleSessionCount missing", set.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_UnitsDefectVersion_FallbackNamingAdvisory()
    {
        var decision = McpCompatDecision.Decide(Report(aspNetCoreVersion: "0.5.0-preview.1"), new McpCompatOptions(), sdkIsStateless: false);

        Assert.Equal(McpCompatPath.Fallback, decision.Path);
        Assert.Contains("MCPCOMPAT001", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Native_UnitsDefectVersion_HonouredButSaysSo()
    {
        var decision = McpCompatDecision.Decide(Report(aspNetCoreVersion: "0.5.0-preview.1"), new McpCompatOptions { Mode = McpCompatMode.Native }, sdkIsStateless: false);

        Assert.Equal(McpCompatPath.Native, decision.Path);
        Assert.Contains("despite advisory MCPCOMPAT001", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Fallback_FeaturePresent_StillFallback()
    {
        Assert.Equal(McpCompatPath.Fallback, McpCompatDecision.Decide(Report(), new McpCompatOptions { Mode = McpCompatMode.Fallback }, sdkIsStateless: false).Path);
    }
}
