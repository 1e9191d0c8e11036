using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace ConformanceServer;

/// <summary>The request handlers the suite's completion-complete, logging-set-level and resources-(un)subscribe scenarios call.</summary>
internal static class FixtureHandlers
{
    private static readonly string[] Places = ["paris", "park", "party", "pasta", "prague"];

    // Subscribed URIs, by session (one book for all sessions on SDKs before 1.0.0, which tell the server no session id).
    private static readonly ConcurrentDictionary<(string Session, string Uri), byte> Subscriptions = new();

    /// <summary>Completes the arguments of test_prompt_with_arguments from a short list, by prefix.</summary>
    public static ValueTask<CompleteResult> CompleteAsync(RequestContext<CompleteRequestParams> context, CancellationToken cancellationToken)
    {
        var argument = context.Params?.Argument;
        var prefix = argument?.Value ?? string.Empty;
        string[] values = argument?.Name is "arg1" or "arg2"
            ? [.. Places.Where(place => place.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))]
            : [];
        var completion = new JsonObject
        {
            ["values"] = Wire.Items([.. values.Select(value => (JsonNode)value)]),
            ["total"] = values.Length,
            ["hasMore"] = false,
        };
        return ValueTask.FromResult(Wire.Read<CompleteResult>(new JsonObject { ["completion"] = completion }));
    }

    /// <summary>Accepts the level; the SDK keeps it as the server's <c>LoggingLevel</c>, which test_tool_with_logging reads.</summary>
    public static ValueTask<EmptyResult> SetLoggingLevelAsync(RequestContext<SetLevelRequestParams> context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new EmptyResult());

    public static ValueTask<EmptyResult> SubscribeAsync(RequestContext<SubscribeRequestParams> context, CancellationToken cancellationToken)
    {
        if (context.Params?.Uri is { } uri)
        {
            Subscriptions.TryAdd((SessionOf(context.Server), uri), 0);
        }

        return ValueTask.FromResult(new EmptyResult());
    }

    public static ValueTask<EmptyResult> UnsubscribeAsync(RequestContext<UnsubscribeRequestParams> context, CancellationToken cancellationToken)
    {
        if (context.Params?.Uri is { } uri)
        {
            Subscriptions.TryRemove((SessionOf(context.Server), uri), out _);
        }

        return ValueTask.FromResult(new EmptyResult());
    }

    private static string SessionOf(SessionServer server) =>
#if MCPSDK_1_0_OR_GREATER
        server.SessionId ?? string.Empty;
#else
        string.Empty;
#endif
}
