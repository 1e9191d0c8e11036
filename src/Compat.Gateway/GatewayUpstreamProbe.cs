using System.Net.Http.Headers;
using System.Text.Json;
using McpCompat.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpCompat.Gateway;

/// <summary>
/// Looks at each upstream on the wire once the host has started, as the probe looks at an SDK: an <c>initialize</c> of
/// its own (the newest revision the gateway knows), which says the upstream's <c>serverInfo</c>, the revision it agrees
/// to and whether it starts sessions; then a <c>DELETE</c> of that session, which says whether it honours one. Logged
/// once per upstream (<c>UpstreamDetected</c>); an upstream that cannot be reached is tried again every
/// <see cref="RetryDelay"/> until it answers; one that asks for credentials (401, 403: the look carries none, having no
/// client) is said once (<c>UpstreamAsksCredentials</c>) and not looked at again. What the gateway learns while relaying (the revisions clients negotiate, a
/// 404 for a live session) is added as it comes. The report is in the health check and <c>mcpcompat probe --gateway</c>.
/// </summary>
internal sealed class GatewayUpstreamProbe(GatewayRoutes routes, GatewayHttpClient http, TimeProvider timeProvider, ILogger<GatewayUpstreamProbe> logger)
    : IHostedLifecycleService, IAsyncDisposable
{
    /// <summary>The revisions the gateway asks for, newest first; an upstream answers with the one it agrees to.</summary>
    public const string AskedRevision = "2025-11-25";

    /// <summary>How long one look may take.</summary>
    public static readonly TimeSpan LookTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How often an upstream that could not be reached is looked at again.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>The <c>User-Agent</c> of the gateway's own requests: an upstream's logs can tell them from its clients'.</summary>
    public const string UserAgent = "McpCompat-Gateway-Probe/1.0";

    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly CancellationTokenSource _stopping = new();
    private Task _looking = Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var upstreams = routes.All.SelectMany(r => r.Upstreams).ToList();
        _looking = Task.WhenAll(upstreams.Select(u => Task.Run(() => LookUntilSeenAsync(u, _stopping.Token))));
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await _looking.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    /// <summary>Looks at <paramref name="upstream"/> until it answers, and logs what it found.</summary>
    public async Task LookUntilSeenAsync(GatewayUpstream upstream, CancellationToken cancellationToken)
    {
        var warned = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (await LookAsync(upstream, cancellationToken).ConfigureAwait(false) is not { } facts)
                {
                    Log.UpstreamAsksCredentials(logger, upstream.Endpoint, upstream.CredentialsAsked ?? 0);
                    return;
                }

                upstream.NoteFacts(facts);
                Log.UpstreamDetected(logger, upstream.Endpoint, facts.Server, facts.Revision ?? "(none named)",
                    facts.Sessions ? "it starts sessions" : "it starts no sessions (stateless)",
                    facts.DeleteStatus switch
                    {
                        null => "DELETE not tried",
                        >= 200 and < 300 => $"it honours DELETE ({facts.DeleteStatus})",
                        405 => "it does not honour DELETE (405): the gateway frees its own state of an idle session all the same",
                        _ => $"it answered DELETE with {facts.DeleteStatus}",
                    });
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                var problem = ex is OperationCanceledException ? $"no answer within {LookTimeout.TotalSeconds:0} s" : ex.Message;
                upstream.NoteProblem(problem);
                if (!warned)
                {
                    warned = true;
                    Log.UpstreamUnreachable(logger, upstream.Endpoint, problem, RetryDelay);
                }
            }

            try
            {
                await Task.Delay(RetryDelay, timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>What the look found, or <see langword="null"/> when the upstream refused it for want of credentials (noted on it).</summary>
    private async Task<UpstreamFacts?> LookAsync(GatewayUpstream upstream, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(LookTimeout);
        var initialize = $$$$"""{"jsonrpc":"2.0","id":"mcpcompat-gateway-probe","method":"initialize","params":{"protocolVersion":"{{{{AskedRevision}}}}","capabilities":{},"clientInfo":{"name":"mcpcompat-gateway-probe","version":"1.0"}}}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, upstream.Endpoint) { Content = new StringContent(initialize) };
        request.Content.Headers.ContentType = Json;
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.UserAgent.ParseAdd(UserAgent);
        string? sessionId;
        string answer;
        using (var response = await http.Invoker.SendAsync(request, timeout.Token).ConfigureAwait(false))
        {
            answer = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            if (response.StatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden)
            {
                upstream.NoteCredentialsAsked((int)response.StatusCode);
                return null;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"it answered initialize with {(int)response.StatusCode}");
            }

            sessionId = response.Headers.TryGetValues(McpHeaders.SessionId, out var ids) ? ids.FirstOrDefault() : null;
        }

        var (name, version, revision) = ReadInitializeResult(answer);
        int? deleteStatus = null;
        if (sessionId is not null)
        {
            using var delete = new HttpRequestMessage(HttpMethod.Delete, upstream.Endpoint);
            delete.Headers.TryAddWithoutValidation(McpHeaders.SessionId, sessionId);
            delete.Headers.UserAgent.ParseAdd(UserAgent);
            if (revision is not null)
            {
                delete.Headers.TryAddWithoutValidation(McpHeaders.ProtocolVersion, revision);
            }

            using var deleted = await http.Invoker.SendAsync(delete, timeout.Token).ConfigureAwait(false);
            deleteStatus = (int)deleted.StatusCode;
        }

        return new UpstreamFacts(name, version, revision, sessionId is not null, deleteStatus);
    }

    /// <summary>Reads <c>result.serverInfo</c> and <c>result.protocolVersion</c> from an answer sent as JSON or as an event stream.</summary>
    public static (string? Name, string? Version, string? Revision) ReadInitializeResult(string answer) =>
        TryReadInitializeResult(answer) ?? throw new JsonException("its answer to initialize holds no result");

    /// <summary>As <see cref="ReadInitializeResult"/>; <see langword="null"/> when the answer holds no result (the gateway's replays read the revision with it).</summary>
    public static (string? Name, string? Version, string? Revision)? TryReadInitializeResult(string answer)
    {
        foreach (var line in answer.Split('\n'))
        {
            var text = line.StartsWith("data:", StringComparison.Ordinal) ? line[5..] : line;
            if (!text.TrimStart().StartsWith('{'))
            {
                continue;
            }

            using var document = JsonDocument.Parse(text);
            if (!document.RootElement.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            string? name = null;
            string? version = null;
            if (result.TryGetProperty("serverInfo", out var info) && info.ValueKind == JsonValueKind.Object)
            {
                name = String(info, "name");
                version = String(info, "version");
            }

            return (name, version, String(result, "protocolVersion"));
        }

        return null;
    }

    private static string? String(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
