using McpCompat.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace McpCompat.Tests.Hosting;

/// <summary>
/// An invalid setting stops the application when its host starts, through the options framework's start-up validation,
/// with one message per setting: mapping <c>MapMcpCompat</c> reads no setting, so it cannot throw first.
/// </summary>
public sealed class StartupValidationTests
{
    [Theory]
    [InlineData("McpCompat:SessionIdleTimeout", "30")]
    [InlineData("McpCompat:SweepInterval", "-1s")]
    [InlineData("McpCompat:SessionResumeWindow", "-1d")]
    [InlineData("McpCompat:MaxSessions", "0")]
    public async Task MapMcpCompat_InvalidSetting_MapsThenStartFailsNamingIt(string key, string value)
    {
        var builder = TestWebApplication.CreateBuilder(new FakeTimeProvider(), new Dictionary<string, string?> { [key] = value });
        builder.Services.AddDistributedMemoryCache();
        builder.Services.AddMcpServer().AddMcpCompat();
        await using var app = builder.Build();

        app.MapMcpCompat("/mcp");
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.StartsWith($"{key} = '{value}' is invalid: ", Assert.Single(ex.Failures), StringComparison.Ordinal);
        Assert.DoesNotContain("MapMcpCompat", ex.StackTrace, StringComparison.Ordinal);
    }
}
