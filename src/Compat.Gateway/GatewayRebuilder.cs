using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using McpCompat.Http;
using Microsoft.Extensions.Logging;

namespace McpCompat.Gateway;

/// <summary>
/// Starts a session again on an upstream that lost it (it restarted, ended it, or another replica got the request) or
/// that cannot be reached: replays the client's handshake (its <c>initialize</c> params, <c>notifications/initialized</c>,
/// its logging level) on the same upstream or another replica, and returns where the session lives now. The client keeps
/// its id and never sees the loss.
/// </summary>
internal sealed class GatewayRebuilder(GatewayHttpClient http, TimeProvider timeProvider, ILogger<GatewayRebuilder> logger)
{
    /// <summary>
    /// How long a rebuild may take: one replay of a handshake, and, while no upstream can be reached (the only one is
    /// restarting), the wait for one to come back. The request that found its session lost waits that long at most.
    /// </summary>
    public static readonly TimeSpan ReplayTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How often unreachable upstreams are tried again within <see cref="ReplayTimeout"/>.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>
    /// Rebuilds <paramref name="session"/>, lost at <paramref name="lost"/>: on the same upstream first when it answered
    /// (it lost the session), on the others first when it could not be reached; <see langword="null"/> when no upstream
    /// took the handshake.
    /// </summary>
    public async Task<GatewayBinding?> RebuildAsync(GatewaySession session, GatewayBinding lost, GatewayRoute route, bool unreachable, CancellationToken cancellationToken)
    {
        var others = route.Upstreams.Where(u => u != lost.Upstream).OrderBy(u => u.Sessions);
        IReadOnlyList<GatewayUpstream> candidates = unreachable ? [.. others, lost.Upstream] : [lost.Upstream, .. others];
        var rebuilt = await ReplayOnAsync(session.Id, session.Handshake!, session.ProtocolVersion, session.Headers, candidates, cancellationToken).ConfigureAwait(false);
        if (rebuilt is not null)
        {
            lost.Upstream.SessionRemoved();
            rebuilt.Upstream.SessionAdded();
        }

        return rebuilt;
    }

    /// <summary>
    /// Starts session <paramref name="sessionId"/>, taken up from its record, on the upstream that holds the fewest
    /// sessions (the others next), with the credentials of the request that takes it up; <see langword="null"/> when no
    /// upstream took the handshake.
    /// </summary>
    public Task<GatewayBinding?> StartAsync(string sessionId, GatewayHandshake handshake, string protocolVersion, GatewayRoute route, CarriedHeaders? headers, CancellationToken cancellationToken) =>
        ReplayOnAsync(sessionId, handshake, protocolVersion, headers, [.. route.Upstreams.OrderBy(u => u.Sessions)], cancellationToken);

    private async Task<GatewayBinding?> ReplayOnAsync(string sessionId, GatewayHandshake handshake, string? protocolVersion, CarriedHeaders? headers, IReadOnlyList<GatewayUpstream> candidates, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        while (true)
        {
            var anyAnswered = false;
            foreach (var upstream in candidates)
            {
                var (upstreamId, answered) = await ReplayAsync(upstream, handshake, protocolVersion, headers, cancellationToken).ConfigureAwait(false);
                if (upstreamId is not null)
                {
                    Log.SessionRebuilt(logger, sessionId, upstream.Endpoint, upstreamId);
                    return new GatewayBinding(upstream, upstreamId);
                }

                anyAnswered |= answered;
            }

            // An upstream that answered and refused will not take it; none answering may be a restart under way.
            if (anyAnswered || timeProvider.GetElapsedTime(started) + RetryDelay >= ReplayTimeout)
            {
                break;
            }

            await Task.Delay(RetryDelay, timeProvider, cancellationToken).ConfigureAwait(false);
        }

        Log.SessionRebuildFailed(logger, sessionId, candidates.Count);
        return null;
    }

    /// <summary>
    /// Replays the handshake on <paramref name="upstream"/>: the new session's id there, or <see langword="null"/>, and
    /// whether the upstream answered at all (it refused, as against could not be reached).
    /// </summary>
    private async Task<(string? UpstreamId, bool Answered)> ReplayAsync(GatewayUpstream upstream, GatewayHandshake handshake, string? protocolVersion, CarriedHeaders? headers, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReplayTimeout);
        try
        {
            var initialize = Message("\"mcpcompat-gateway-initialize\"", "initialize", handshake.InitializeParams());
            var (status, upstreamId, answer) = await PostAsync(upstream, sessionId: null, protocolVersion: null, headers, initialize, timeout.Token).ConfigureAwait(false);
            if (status is < 200 or >= 300 || upstreamId is null)
            {
                return (null, true);
            }

            // The revision the upstream agreed to this time, else the one the client's requests named.
            var version = GatewayUpstreamProbe.TryReadInitializeResult(answer)?.Revision ?? protocolVersion;
            if (handshake.Initialized)
            {
                var (notified, _, _) = await PostAsync(upstream, upstreamId, version, headers, """{"jsonrpc":"2.0","method":"notifications/initialized"}"""u8.ToArray(), timeout.Token).ConfigureAwait(false);
                if (notified is < 200 or >= 300)
                {
                    return (null, true);
                }
            }

            if (handshake.LoggingLevel is { } level)
            {
                var setLevel = Message("\"mcpcompat-gateway-set-level\"", "logging/setLevel", JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["level"] = level }));
                await PostAsync(upstream, upstreamId, version, headers, setLevel, timeout.Token).ConfigureAwait(false);
            }

            return (upstreamId, true);
        }
        catch (JsonException ex)
        {
            Log.HandshakeReplayFailed(logger, upstream.Endpoint, ex.Message);
            return (null, true);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Log.HandshakeReplayFailed(logger, upstream.Endpoint, ex.Message);
            return (null, false);
        }
    }

    private async Task<(int Status, string? SessionId, string Answer)> PostAsync(GatewayUpstream upstream, string? sessionId, string? protocolVersion, CarriedHeaders? headers, byte[] body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, upstream.Endpoint) { Content = new ByteArrayContent(body) };
        headers?.AddTo(request);
        request.Content.Headers.ContentType = Json;
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (sessionId is not null)
        {
            request.Headers.TryAddWithoutValidation(McpHeaders.SessionId, sessionId);
        }

        if (protocolVersion is not null)
        {
            request.Headers.TryAddWithoutValidation(McpHeaders.ProtocolVersion, protocolVersion);
        }

        using var response = await http.Invoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var answer = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var id = response.Headers.TryGetValues(McpHeaders.SessionId, out var ids) ? ids.FirstOrDefault() : null;
        return ((int)response.StatusCode, id, answer);
    }

    private static byte[] Message(string id, string method, ReadOnlySpan<byte> parameters)
    {
        var prefix = Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","id":{{id}},"method":"{{method}}","params":""");
        var message = new byte[prefix.Length + parameters.Length + 1];
        prefix.CopyTo(message, 0);
        parameters.CopyTo(message.AsSpan(prefix.Length));
        message[^1] = (byte)'}';
        return message;
    }
}
