using System.Collections.Concurrent;
using System.ComponentModel;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Server;

namespace McpCompat.Gateway.Tests;

/// <summary>
/// A real upstream: the C# SDK's own Streamable HTTP host, stateful, with no McpCompat inside, on 127.0.0.1. It records
/// every request it gets (method and session id), so a test sees what the gateway sent it.
/// </summary>
internal sealed class Upstream : IAsyncDisposable
{
    private int _disposed;

    private Upstream(WebApplication app, string? requiredAuthorization)
    {
        App = app;
        RequiredAuthorization = requiredAuthorization;
    }

    public WebApplication App { get; }

    /// <summary>Gets the upstream's MCP endpoint, once started.</summary>
    public Uri Endpoint => new(App.Urls.Single().TrimEnd('/') + "/mcp");

    /// <summary>Gets every request the upstream got: its method and <c>Mcp-Session-Id</c> (empty without one).</summary>
    public ConcurrentQueue<(string Method, string SessionId)> Requests { get; } = new();

    /// <summary>Gets or sets a gate every DELETE waits at (from a client or the gateway) until the test opens it; none by default.</summary>
    public TaskCompletionSource? DeleteGate { get; set; }

    /// <summary>Gets a task that completes when a DELETE reached <see cref="DeleteGate"/>.</summary>
    public TaskCompletionSource DeleteArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Gets the credentials every request must carry, as an upstream that authenticates each request asks: another
    /// <c>Authorization</c> is answered 401 (the gateway's look included, though it is not counted as a client's);
    /// <see langword="null"/>: none asked.
    /// </summary>
    public string? RequiredAuthorization { get; }

    /// <summary>Gets every request the upstream got, as its method and its <c>Authorization</c> header (empty without one).</summary>
    public ConcurrentQueue<(string Method, string Authorization)> Credentials { get; } = new();

    /// <summary>Gets the HTTP method of every request of the gateway's look at its upstreams.</summary>
    public ConcurrentQueue<string> ProbeRequests { get; } = new();

    /// <summary>Gets the JSON-RPC method of every POST the upstream got, with the session id it came under (empty without one).</summary>
    public ConcurrentQueue<(string JsonRpcMethod, string SessionId)> Messages { get; } = new();

    /// <summary>
    /// Starts an upstream on <paramref name="port"/> (0: a free one), as a restarted server would come back on its own;
    /// asking every request for <paramref name="requiredAuthorization"/> when one is given.
    /// </summary>
    public static async Task<Upstream> StartAsync(int port = 0, string? requiredAuthorization = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        builder.Services.AddMcpServer().WithHttpTransport(o => o.Stateless = false).WithTools<UpstreamTools>();
        var app = builder.Build();
        var upstream = new Upstream(app, requiredAuthorization);
        app.Use(async (context, next) =>
        {
            // The gateway's own look at its upstreams is not the clients' traffic the tests count.
            if (context.Request.Headers.UserAgent.ToString().StartsWith("McpCompat-Gateway-Probe/", StringComparison.Ordinal))
            {
                upstream.ProbeRequests.Enqueue(context.Request.Method);
                if (requiredAuthorization is not null && context.Request.Headers.Authorization != requiredAuthorization)
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return;
                }

                await next(context);
                return;
            }

            var sessionId = context.Request.Headers["Mcp-Session-Id"].ToString();
            upstream.Requests.Enqueue((context.Request.Method, sessionId));
            var authorization = context.Request.Headers.Authorization.ToString();
            upstream.Credentials.Enqueue((context.Request.Method, authorization));
            if (requiredAuthorization is not null && authorization != requiredAuthorization)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            if (HttpMethods.IsDelete(context.Request.Method) && upstream.DeleteGate is { } gate)
            {
                upstream.DeleteArrived.TrySetResult();
                await gate.Task;
            }

            if (HttpMethods.IsPost(context.Request.Method))
            {
                context.Request.EnableBuffering();
                using (var document = await System.Text.Json.JsonDocument.ParseAsync(context.Request.Body))
                {
                    if (document.RootElement.TryGetProperty("method", out var method))
                    {
                        upstream.Messages.Enqueue((method.GetString()!, sessionId));
                    }
                }

                context.Request.Body.Position = 0;
            }

            await next(context);
        });
        app.MapMcp("/mcp");
        await app.StartAsync();
        return upstream;
    }

    /// <summary>Stops this upstream and starts a new one on the same port: a restart, every session of its own gone.</summary>
    public async Task<Upstream> RestartAsync()
    {
        var port = Endpoint.Port;
        await DisposeAsync();
        return await StartAsync(port, RequiredAuthorization);
    }

    public int Count(string jsonRpcMethod) => Messages.Count(m => m.JsonRpcMethod == jsonRpcMethod);

    public IReadOnlyList<string> SessionIdsOf(string method) =>
        [.. Requests.Where(r => r.Method == method && r.SessionId.Length > 0).Select(r => r.SessionId)];

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        UpstreamTools.ReleaseAll();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Tools written so every SDK build accepts them: static methods, names given.</summary>
[McpServerToolType]
internal sealed class UpstreamTools
{
    private static readonly object Gate = new();
    private static TaskCompletionSource _release = NewGate();
    private static List<(int Count, TaskCompletionSource Reached)> _waiters = [];
    private static int _entered;

    /// <summary>Returns a task that completes once <paramref name="count"/> <c>wait</c> calls have started since <see cref="Reset"/>.</summary>
    public static Task EnteredAsync(int count)
    {
        lock (Gate)
        {
            if (_entered >= count)
            {
                return Task.CompletedTask;
            }

            var reached = NewGate();
            _waiters.Add((count, reached));
            return reached.Task;
        }
    }

    public static void Reset()
    {
        lock (Gate)
        {
            _release = NewGate();
            _waiters = [];
            _entered = 0;
        }
    }

    public static void ReleaseAll() => _release.TrySetResult();

    [McpServerTool(Name = "echo"), Description("Echoes the text.")]
    public static string Echo(string text) => text;

    [McpServerTool(Name = "wait"), Description("Waits until the test releases it.")]
    public static async Task<string> WaitAsync(CancellationToken cancellationToken)
    {
        Task release;
        lock (Gate)
        {
            release = _release.Task;
            _entered++;
            foreach (var (count, reached) in _waiters.Where(w => w.Count <= _entered))
            {
                reached.TrySetResult();
            }
        }

        await release.WaitAsync(cancellationToken);
        return "released";
    }

    private static TaskCompletionSource NewGate() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
