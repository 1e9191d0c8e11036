using System.ComponentModel;
using Microsoft.AspNetCore.Authentication;
using McpCompat.Sessions;
using McpCompat.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Server;

namespace McpCompat.Tests.AspNetCore;

/// <summary>
/// A real MCP server on Kestrel at 127.0.0.1 (random port): the SDK's own Streamable HTTP host (MapMcp), stateful
/// unless asked otherwise, with McpCompat added, a <see cref="FakeTimeProvider"/> as the application's clock,
/// and a log collector.
/// </summary>
internal sealed class McpTestHost : IAsyncDisposable
{
    private McpTestHost(WebApplication app, FakeTimeProvider time)
    {
        App = app;
        Time = time;
        Http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Endpoint = new Uri(app.Urls.Single().TrimEnd('/') + "/mcp");
        Client = new RawMcpClient(Http, Endpoint);
    }

    public WebApplication App { get; }

    public FakeTimeProvider Time { get; }

    public HttpClient Http { get; }

    public Uri Endpoint { get; }

    public RawMcpClient Client { get; }

    /// <summary>A client whose requests authenticate as <paramref name="user"/> (see <see cref="TestUserAuthenticationHandler"/>).</summary>
    public RawMcpClient ClientFor(string user)
    {
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add(TestUserAuthenticationHandler.Header, user);
        _clients.Add(http);
        return new RawMcpClient(http, Endpoint);
    }

    private readonly List<HttpClient> _clients = [];

    public SessionTracker Tracker => App.Services.GetRequiredService<SessionTracker>();

    public SessionSweeper Sweeper => App.Services.GetRequiredService<SessionSweeper>();

    public ToolGate Gate => App.Services.GetRequiredService<ToolGate>();

    public FakeLogCollector Logs => App.Services.GetFakeLogCollector();

    public static async Task<McpTestHost> StartAsync(
        Action<McpCompatOptions>? configure = null,
        IDictionary<string, string?>? settings = null,
        bool stateless = false,
        Action<HttpServerTransportOptions>? transport = null,
        Action<IServiceCollection>? services = null,
        bool requireAuthorization = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddFakeLogging();

        var time = new FakeTimeProvider();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<ToolGate>();
        services?.Invoke(builder.Services);

        var mcp = builder.Services
            .AddMcpServer()
            .WithHttpTransport(o =>
            {
                o.Stateless = stateless;
                transport?.Invoke(o);
            })
            .WithTools<TestTools>();
        if (configure is null)
        {
            mcp.AddMcpCompat();
        }
        else
        {
            mcp.AddMcpCompat(configure);
        }

        if (requireAuthorization)
        {
            builder.Services.AddAuthentication(TestUserAuthenticationHandler.SchemeName)
                .AddScheme<AuthenticationSchemeOptions, TestUserAuthenticationHandler>(TestUserAuthenticationHandler.SchemeName, null);
            builder.Services.AddAuthorization();
        }

        var app = builder.Build();
        try
        {
            if (requireAuthorization)
            {
                app.UseAuthentication();
                app.UseAuthorization();
                app.MapMcp("/mcp").RequireAuthorization();
            }
            else
            {
                app.MapMcp("/mcp");
            }

            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new McpTestHost(app, time);
    }

    public async ValueTask DisposeAsync()
    {
        Gate.ReleaseAll();
        Http.Dispose();
        _clients.ForEach(c => c.Dispose());
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Holds <c>wait</c> tool calls until the test releases them.</summary>
internal sealed class ToolGate
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Entered => _entered.Task;

    public Task WaitAsync(CancellationToken cancellationToken)
    {
        _entered.TrySetResult();
        return _release.Task.WaitAsync(cancellationToken);
    }

    public void ReleaseAll() => _release.TrySetResult();
}

[McpServerToolType]
internal sealed class TestTools(ToolGate gate)
{
    [McpServerTool(Name = "echo"), Description("Echoes.")]
    public static string Echo(string message) => message;

    [McpServerTool(Name = "wait"), Description("Waits until the test releases it.")]
    public async Task<string> Wait(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        return "released";
    }
}
