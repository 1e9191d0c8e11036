using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace McpCompat.Gateway.Tests;

/// <summary>The gateway in front of one real upstream, on Kestrel at 127.0.0.1, with a <see cref="FakeTimeProvider"/> as its clock.</summary>
internal sealed class GatewayHost : IAsyncDisposable
{
    /// <summary>The header that names the request's user in these tests.</summary>
    public const string UserHeader = "X-Test-User";

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly List<HttpClient> _clients = [];

    private GatewayHost(WebApplication app, IReadOnlyList<Upstream> upstreams, FakeTimeProvider time)
    {
        App = app;
        Upstreams = [.. upstreams];
        var upstream = upstreams[0];
        Time = time;
        Endpoint = new Uri(app.Urls.Single().TrimEnd('/') + "/mcp");
        Client = new McpClient(_http, Endpoint);
        Direct = new McpClient(_http, upstream.Endpoint);
    }

    public WebApplication App { get; }

    /// <summary>Gets the first upstream.</summary>
    public Upstream Upstream => Upstreams[0];

    /// <summary>Gets the upstreams (replicas), in the order given to the gateway; a restart replaces its entry.</summary>
    public List<Upstream> Upstreams { get; }

    public FakeTimeProvider Time { get; }

    public Uri Endpoint { get; }

    /// <summary>Gets a client of the gateway.</summary>
    public McpClient Client { get; }

    /// <summary>Gets a client of the upstream itself, past the gateway.</summary>
    public McpClient Direct { get; }

    public HttpClient Http => _http;

    /// <summary>Gets a client of the gateway that makes every request as <paramref name="user"/>.</summary>
    public McpClient ClientAs(string user)
    {
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add(UserHeader, user);
        _clients.Add(http);
        return new McpClient(http, Endpoint);
    }

    public GatewaySessions Sessions => App.Services.GetRequiredService<GatewaySessions>();

    public McpCompat.Sessions.SessionSweeper Sweeper => App.Services.GetRequiredService<McpCompat.Sessions.SessionSweeper>();

    public FakeLogCollector Logs => App.Services.GetFakeLogCollector();

    public static async Task<GatewayHost> StartAsync(Action<McpCompatOptions>? configure = null, IDictionary<string, string?>? settings = null, int replicas = 1)
    {
        var upstreams = new List<Upstream>();
        for (var i = 0; i < replicas; i++)
        {
            upstreams.Add(await Upstream.StartAsync());
        }

        var time = new FakeTimeProvider();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddFakeLogging(o => o.TimeProvider = time);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddMcpCompatGateway(o =>
        {
            o.SessionIdleTimeout = TimeSpan.FromSeconds(30);
            configure?.Invoke(o);
        });
        var app = builder.Build();
        // A test's stand-in for authentication: the user named by a header (anonymous without it).
        app.Use((context, next) =>
        {
            if (context.Request.Headers[UserHeader].ToString() is { Length: > 0 } user)
            {
                context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user)], "test"));
            }

            return next(context);
        });
        app.MapMcpCompatGateway("/mcp", upstreams.Select(u => u.Endpoint));
        await app.StartAsync();
        return new GatewayHost(app, upstreams, time);
    }

    public async ValueTask DisposeAsync()
    {
        UpstreamTools.ReleaseAll();
        _http.Dispose();
        _clients.ForEach(c => c.Dispose());
        await App.StopAsync();
        await App.DisposeAsync();
        foreach (var upstream in Upstreams)
        {
            await upstream.DisposeAsync();
        }
    }
}
