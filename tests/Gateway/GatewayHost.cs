using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Caching.Distributed;
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

    /// <summary>The header that makes the request come from another address than the test's own (loopback).</summary>
    public const string RemoteAddressHeader = "X-Test-Remote-Address";

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly List<HttpClient> _clients = [];

    private readonly bool _ownsUpstreams;
    private Func<int> _received = () => 0;

    private GatewayHost(WebApplication app, IReadOnlyList<Upstream> upstreams, FakeTimeProvider time, bool ownsUpstreams)
    {
        _ownsUpstreams = ownsUpstreams;
        App = app;
        Upstreams = [.. upstreams];
        Time = time;
        Endpoint = new Uri(app.Urls.Single().TrimEnd('/') + "/mcp");
        Client = new McpClient(_http, Endpoint);
    }

    public WebApplication App { get; }

    /// <summary>Gets the first upstream.</summary>
    public Upstream Upstream => Upstreams[0];

    /// <summary>Gets the upstreams (replicas), in the order given to the gateway; a restart replaces its entry.</summary>
    public List<Upstream> Upstreams { get; }

    public FakeTimeProvider Time { get; }

    /// <summary>Gets how many requests reached the gateway's host so far.</summary>
    public int Received => _received();

    public Uri Endpoint { get; }

    /// <summary>Gets a client of the gateway.</summary>
    public McpClient Client { get; }

    /// <summary>Gets a client of the (first) upstream itself, past the gateway.</summary>
    public McpClient Direct => new(_http, Upstream.Endpoint);

    public HttpClient Http => _http;

    /// <summary>Gets a client of the gateway that makes every request as <paramref name="user"/>.</summary>
    public McpClient ClientAs(string user) => ClientWith(UserHeader, user);

    /// <summary>Gets a client of the gateway that sends <paramref name="header"/> with <paramref name="value"/> on every request.</summary>
    public McpClient ClientWith(string header, string value)
    {
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.TryAddWithoutValidation(header, value);
        _clients.Add(http);
        return new McpClient(http, Endpoint);
    }

    public GatewaySessions Sessions => App.Services.GetRequiredService<GatewaySessions>();

    public McpCompat.Sessions.SessionSweeper Sweeper => App.Services.GetRequiredService<McpCompat.Sessions.SessionSweeper>();

    public FakeLogCollector Logs => App.Services.GetFakeLogCollector();

    /// <summary>
    /// Starts a gateway in front of <paramref name="replicas"/> new upstreams, or in front of <paramref name="upstreams"/>
    /// (started by the test, which stops them: a second gateway, or the same one restarted); its records in
    /// <paramref name="cache"/> when one is given (sessions then resume: a window of a day unless set).
    /// </summary>
    public static async Task<GatewayHost> StartAsync(
        Action<McpCompatOptions>? configure = null,
        IDictionary<string, string?>? settings = null,
        int replicas = 1,
        IDistributedCache? cache = null,
        IReadOnlyList<Upstream>? upstreams = null,
        IReadOnlyList<Uri>? upstreamEndpoints = null,
        IMcpSessionEndChannel? channel = null)
    {
        var ownsUpstreams = upstreams is null;
        var received = 0;
        if (upstreamEndpoints is not null)
        {
            upstreams = [];
        }
        else if (upstreams is null)
        {
            var started = new List<Upstream>();
            for (var i = 0; i < replicas; i++)
            {
                started.Add(await Upstream.StartAsync());
            }

            upstreams = started;
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
        if (cache is not null)
        {
            builder.Services.AddSingleton(cache);
        }

        if (channel is not null)
        {
            builder.Services.AddSingleton(channel);
        }

        builder.Services.AddMcpCompatGateway(o =>
        {
            o.SessionIdleTimeout = TimeSpan.FromSeconds(30);
            if (cache is not null)
            {
                o.SessionResumeWindow = TimeSpan.FromDays(1);
            }

            configure?.Invoke(o);
        });
        builder.Services.AddHealthChecks().AddMcpCompatGateway();
        var app = builder.Build();
        // A test's stand-in for authentication: the user named by a header (anonymous without it); and for a request
        // from another machine: the address named by a header.
        app.Use((context, next) =>
        {
            Interlocked.Increment(ref received);
            if (context.Request.Headers[RemoteAddressHeader].ToString() is { Length: > 0 } address)
            {
                context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse(address);
            }

            if (context.Request.Headers[UserHeader].ToString() is { Length: > 0 } user)
            {
                context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user)], "test"));
            }

            return next(context);
        });
        app.MapMcpCompatGateway("/mcp", upstreamEndpoints ?? [.. upstreams.Select(u => u.Endpoint)]);
        await app.StartAsync();
        var host = new GatewayHost(app, upstreams, time, ownsUpstreams);
        host._received = () => Volatile.Read(ref received);
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        UpstreamTools.ReleaseAll();
        _http.Dispose();
        _clients.ForEach(c => c.Dispose());
        await App.StopAsync();
        await App.DisposeAsync();
        if (!_ownsUpstreams)
        {
            return;
        }

        foreach (var upstream in Upstreams)
        {
            await upstream.DisposeAsync();
        }
    }
}
