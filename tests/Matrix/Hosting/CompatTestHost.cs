using System.ComponentModel;
using McpCompat.MapMcpCompat;
using McpCompat.Sessions;
using McpCompat.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ModelContextProtocol.Server;

namespace McpCompat.Tests.Hosting;

/// <summary>
/// A real MCP server on Kestrel at 127.0.0.1 (random port) hosted by <c>MapMcpCompat</c> over the SDK's transport,
/// whatever the SDK version; a <see cref="FakeTimeProvider"/> is the application's clock.
/// </summary>
internal sealed class CompatTestHost : IAsyncDisposable
{
    public const string ProtocolVersion = "2025-03-26";

    private readonly List<HttpClient> _clients = [];

    private CompatTestHost(WebApplication app, FakeTimeProvider time, RequestsInFlight requests)
    {
        App = app;
        Time = time;
        Requests = requests;
        Http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        BaseAddress = new Uri(app.Urls.Single().TrimEnd('/'));
        Endpoint = new Uri(BaseAddress, "/mcp");
        Client = new RawMcpClient(Http, Endpoint, ProtocolVersion);
    }

    public WebApplication App { get; }

    public FakeTimeProvider Time { get; }

    public HttpClient Http { get; }

    public Uri BaseAddress { get; }

    public Uri Endpoint { get; }

    public RawMcpClient Client { get; }

    public SessionTracker Tracker => App.Services.GetRequiredService<SessionTracker>();

    public SessionSweeper Sweeper => App.Services.GetRequiredService<SessionSweeper>();

    public HostedSessionStore Store => App.Services.GetRequiredService<HostedSessionStore>();

    public FakeLogCollector Logs => App.Services.GetFakeLogCollector();

    /// <summary>Gets the requests inside the application's pipeline.</summary>
    public RequestsInFlight Requests { get; }

    public RawMcpClient ClientFor(string user)
    {
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add(TestUserAuthenticationHandler.Header, user);
        _clients.Add(http);
        return new RawMcpClient(http, Endpoint, ProtocolVersion);
    }

    public static async Task<CompatTestHost> StartAsync(Action<McpCompatOptions>? configure = null, bool requireAuthorization = false, Action<IServiceCollection>? services = null, Type? tools = null)
    {
        var time = new FakeTimeProvider();
        var builder = TestWebApplication.CreateBuilder(time, requireAuthorization: requireAuthorization);
        services?.Invoke(builder.Services);
        var server = builder.Services
            .AddMcpServer()
            .WithTools<HostingTestTools>();
        if (tools is not null)
        {
            server.WithTools([tools]);
        }

        server.AddMcpCompat(o =>
            {
                o.SessionIdleTimeout = TimeSpan.FromSeconds(30);
                configure?.Invoke(o);
            });

        var requests = new RequestsInFlight();
        var app = await TestWebApplication.StartAsync(builder, requireAuthorization, a =>
        {
            requests.Watch(a);
            return a.MapMcpCompat("/mcp");
        });
        return new CompatTestHost(app, time, requests);
    }

    public async ValueTask DisposeAsync()
    {
        HostingTestTools.ReleaseAll();
        Http.Dispose();
        _clients.ForEach(c => c.Dispose());
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Tools written so every SDK version accepts them: static methods, names given.</summary>
[McpServerToolType]
internal sealed class HostingTestTools
{
    /// <summary>The test collection of every class that uses the tools' shared gate: they run one at a time.</summary>
    public const string Collection = "MapMcpCompat tools gate";

    private static TaskCompletionSource _release = NewGate();
    private static TaskCompletionSource _entered = NewGate();
    private static int _enteredCount;
    private static readonly List<(int Count, TaskCompletionSource Reached)> Counts = [];

    /// <summary>Completes when a <c>wait</c> call has started.</summary>
    public static Task Entered => _entered.Task;

    /// <summary>How many <c>wait</c> calls have started since <see cref="Reset"/>.</summary>
    public static int EnteredCount => Volatile.Read(ref _enteredCount);

    /// <summary>Returns a task that completes once <paramref name="count"/> <c>wait</c> calls have started since <see cref="Reset"/>.</summary>
    public static Task EnteredAsync(int count)
    {
        lock (Counts)
        {
            if (_enteredCount >= count)
            {
                return Task.CompletedTask;
            }

            var reached = NewGate();
            Counts.Add((count, reached));
            return reached.Task;
        }
    }

    /// <summary>Closes the gate again: later <c>wait</c> calls block until <see cref="ReleaseAll"/>.</summary>
    public static void Reset()
    {
        _release = NewGate();
        _entered = NewGate();
        lock (Counts)
        {
            Volatile.Write(ref _enteredCount, 0);
            Counts.Clear();
        }
    }

    private static void Enter()
    {
        lock (Counts)
        {
            var entered = Interlocked.Increment(ref _enteredCount);
            foreach (var waiting in Counts.Where(c => c.Count <= entered).ToList())
            {
                waiting.Reached.TrySetResult();
                Counts.Remove(waiting);
            }
        }

        _entered.TrySetResult();
    }

    public static void ReleaseAll() => _release.TrySetResult();

    /// <summary>Waits, as a <c>wait</c> call does, until <see cref="ReleaseAll"/>.</summary>
    public static async Task WaitForReleaseAsync(CancellationToken cancellationToken)
    {
        Enter();
        await _release.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    [McpServerTool(Name = "echo"), Description("Echoes.")]
    public static string Echo(string message) => message;

    [McpServerTool(Name = "fail"), Description("Throws.")]
    public static string Fail() => throw new InvalidOperationException("the tool failed");

    [McpServerTool(Name = "wait"), Description("Waits until the test releases it.")]
    public static async Task<string> Wait(CancellationToken cancellationToken)
    {
        Enter();
        await _release.Task.WaitAsync(cancellationToken);
        return "released";
    }

    [McpServerTool(Name = "stubborn"), Description("Waits until the test releases it, deaf to cancellation.")]
    public static async Task<string> Stubborn()
    {
        Enter();
        await _release.Task;
        return "released";
    }

    private static TaskCompletionSource NewGate() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
