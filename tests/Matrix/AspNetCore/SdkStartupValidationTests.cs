using McpCompat.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace McpCompat.Tests.AspNetCore;

/// <summary>
/// On the SDK's host, <c>MapMcp</c> builds the SDK's options, which McpCompat's settings feed: an invalid setting must
/// not throw from there, but stop the host at start with the options framework's message naming it.
/// </summary>
public sealed class SdkStartupValidationTests
{
    [Theory]
    [InlineData("McpCompat:SessionIdleTimeout", "30", false)]
    [InlineData("MCP_SESSION_IDLE_TIMEOUT", "-5", false)]
    [InlineData("McpCompat:MaxIdleSessions", "0", true)]
    [InlineData("McpCompat:SessionResumeWindow", "1", true)]
    public async Task MapMcp_InvalidSetting_MapsThenStartFailsNamingIt(string key, string value, bool guard)
    {
        var builder = TestWebApplication.CreateBuilder(new FakeTimeProvider(), new Dictionary<string, string?>
        {
            [key] = value,
            ["McpCompat:Guard"] = guard ? "true" : "false",
        });
        builder.Services.AddDistributedMemoryCache();
        builder.Services.AddMcpServer().WithHttpTransport(o => o.Stateless = false).AddMcpCompat();
        await using var app = builder.Build();

        app.MapMcp("/mcp");
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.StartsWith($"{key} = '{value}' is invalid: ", Assert.Single(ex.Failures), StringComparison.Ordinal);
        Assert.DoesNotContain("MapMcp", ex.StackTrace, StringComparison.Ordinal);
    }
}
