using System.ComponentModel;
using McpCompat.Sessions;
using McpCompat.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Server;

namespace McpCompat.Tests.AspNetCore;

/// <summary>
/// A real MCP server on Kestrel at 127.0.0.1 (random port): the SDK's own Streamable HTTP host (MapMcp), stateful
/// unless asked otherwise, with McpCompat added, a <see cref="FakeTimeProvider"/> (<see cref="ObservedClock"/>) as the application's clock,
/// and a log collector.
/// </summary>
internal sealed class McpTestHost : IAsyncDisposable
{
    private McpTestHost(WebApplication app, ObservedClock time, RequestsInFlight requests)
    {
        Requests = requests;
        App = app;
        Time = time;
        Http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Endpoint = new Uri(app.Urls.Single().TrimEnd('/') + "/mcp");
        Client = new RawMcpClient(Http, Endpoint);
    }

    public WebApplication App { get; }

    public ObservedClock Time { get; }

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

    /// <summary>Gets the requests inside the application's pipeline.</summary>
    public RequestsInFlight Requests { get; }

    /// <summary>How often the SDK's own sweeper (the native path) looks for idle sessions, on the application's clock.</summary>
    public static readonly TimeSpan SdkSweepPeriod = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Moves the clock past <paramref name="idleTimeout"/> by one look of the SDK's own sweeper, once that sweeper's timer
    /// (created on another thread after the host started) exists, and returns the SDK's record that it closes the
    /// session <paramref name="id"/>.
    /// </summary>
    public async Task<FakeLogRecord> AdvancePastTheSdksSweepAsync(string id, TimeSpan idleTimeout)
    {
        var closing = Logs.WaitForAsync(r => r.Message.Contains($"Closing idle session {id}.", StringComparison.Ordinal));
        await Time.TimerCreatedAsync(SdkSweepPeriod).WaitAsync(FakeClock.Bound);
        var looks = (int)Math.Ceiling(idleTimeout / SdkSweepPeriod) + 1;
        for (var i = 0; i < looks; i++)
        {
            Time.Advance(SdkSweepPeriod);
        }

        return await closing;
    }

    public static async Task<McpTestHost> StartAsync(
        Action<McpCompatOptions>? configure = null,
        IDictionary<string, string?>? settings = null,
        bool stateless = false,
        Action<HttpServerTransportOptions>? transport = null,
        Action<IServiceCollection>? services = null,
        bool requireAuthorization = false)
    {
        var time = new ObservedClock();
        var builder = TestWebApplication.CreateBuilder(time, settings, requireAuthorization);
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

        var requests = new RequestsInFlight();
        var app = await TestWebApplication.StartAsync(builder, requireAuthorization, a =>
        {
            requests.Watch(a);
            return a.MapMcp("/mcp");
        });
        return new McpTestHost(app, time, requests);
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
