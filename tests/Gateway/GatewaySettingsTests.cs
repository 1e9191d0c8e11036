using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace McpCompat.Gateway.Tests;

/// <summary>The gateway's registration and mapping: bad settings stop the host at start, bad arguments throw, naming them.</summary>
public sealed class GatewaySettingsTests
{
    [Fact]
    public async Task InvalidSetting_HostStopsAtStart_NamingIt()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["McpCompat:SessionIdleTimeout"] = "30" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddMcpCompatGateway();
        await using var app = builder.Build();
        app.MapMcpCompatGateway("/mcp", "http://127.0.0.1:9/mcp");

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.StartsWith("McpCompat:SessionIdleTimeout = '30' is invalid: a number without a unit", Assert.Single(ex.Failures), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://127.0.0.1/mcp")]
    [InlineData("/mcp")]
    public void MapMcpCompatGateway_BadUpstream_ThrowsNamingIt(string upstream)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddMcpCompatGateway();
        using var app = builder.Build();

        var ex = Assert.Throws<ArgumentException>(() => app.MapMcpCompatGateway("/mcp", upstream));

        Assert.Equal("upstreams", ex.ParamName);
        Assert.Contains($"'{upstream}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NullArguments_Throw()
    {
        Assert.Equal("services", Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddMcpCompatGateway()).ParamName);
        Assert.Equal("configure", Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddMcpCompatGateway((Action<McpCompatOptions>)null!)).ParamName);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddMcpCompatGateway();
        using var app = builder.Build();
        Assert.Equal("pattern", Assert.Throws<ArgumentNullException>(() => app.MapMcpCompatGateway(null!, "http://127.0.0.1:9/mcp")).ParamName);
        Assert.Equal("upstreams", Assert.Throws<ArgumentException>(() => app.MapMcpCompatGateway("/mcp", Array.Empty<string>())).ParamName);
    }
}
