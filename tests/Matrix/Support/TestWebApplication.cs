using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace McpCompat.Tests.Support;

/// <summary>
/// The web application every end-to-end test runs: Kestrel on 127.0.0.1 (random port), in-memory configuration only,
/// a log collector stamping records on the application's clock, a <see cref="FakeTimeProvider"/> as that clock, and
/// optionally header-based authentication.
/// </summary>
internal static class TestWebApplication
{
    public static WebApplicationBuilder CreateBuilder(FakeTimeProvider time, IDictionary<string, string?>? settings = null, bool requireAuthorization = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddFakeLogging(o => o.TimeProvider = time);
        builder.Services.AddSingleton<TimeProvider>(time);

        if (requireAuthorization)
        {
            builder.Services.AddAuthentication(TestUserAuthenticationHandler.SchemeName)
                .AddScheme<AuthenticationSchemeOptions, TestUserAuthenticationHandler>(TestUserAuthenticationHandler.SchemeName, null);
            builder.Services.AddAuthorization();
        }

        return builder;
    }

    /// <summary>Builds the application, maps its MCP endpoint (behind authorization when asked) and starts it.</summary>
    public static async Task<WebApplication> StartAsync(WebApplicationBuilder builder, bool requireAuthorization, Func<WebApplication, IEndpointConventionBuilder> map)
    {
        var app = builder.Build();
        try
        {
            if (requireAuthorization)
            {
                app.UseAuthentication();
                app.UseAuthorization();
                map(app).RequireAuthorization();
            }
            else
            {
                map(app);
            }

            await app.StartAsync();
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }
}
