using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace CSharpClient;

/// <summary>
/// The resume mode of eng/resume.sh (driven by eng/interop/resume.mjs, whose proxy cuts the client's connection in the
/// middle of a stream): the SDK's McpClient, on revision 2025-11-25 and the transport's own reconnection settings, calls
/// one of tests/Interop/ConformanceServer's numbered-message tools (notify_then_answer: on the call's stream, then the
/// answer; notify_later: on the session's GET stream, which it waits for first) and reports what it got, checking
/// nothing itself: its SDK's version, the answer, the numbers its handlers received, their order on the wire, the GETs sent with
/// Last-Event-ID and what the SDK logged at Warning or above. Prints one JSON line.
/// Usage: dotnet CSharpClient.dll resume &lt;endpoint&gt; &lt;tool&gt; &lt;run&gt; &lt;count&gt; &lt;intervalMs&gt;
/// </summary>
internal static class ResumeMode
{
    public static async Task<int> RunAsync(string[] args)
    {
        var endpoint = new Uri(args[0]);
        var tool = args[1];
        var run = args[2];
        var count = int.Parse(args[3], CultureInfo.InvariantCulture);
        var intervalMs = int.Parse(args[4], CultureInfo.InvariantCulture);
        var pushTime = TimeSpan.FromMilliseconds(count * intervalMs);

        var handled = new ConcurrentQueue<long>();
        ValueTask OnLogMessage(JsonRpcNotification notification, CancellationToken cancellationToken)
        {
            if (notification.Params?["data"] is JsonObject data && data["run"]?.GetValue<string>() == run && data["seq"] is JsonValue seq)
            {
                handled.Enqueue(seq.GetValue<long>());
            }

            return ValueTask.CompletedTask;
        }

        var tap = new ResumeTap(run);
        using var http = new HttpClient(tap);
        var log = new ProblemLog();
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = endpoint, TransportMode = HttpTransportMode.StreamableHttp },
            http,
            log,
            ownsHttpClient: false);
        var options = new McpClientOptions
        {
            ClientInfo = new Implementation { Name = "resume-client", Version = "1.0.0" },
            ProtocolVersion = "2025-11-25",
            Handlers = new McpClientHandlers { NotificationHandlers = [new("notifications/message", OnLogMessage)] },
        };

        var errors = new List<string>();
        string? answer = null;
        string? callError = null;
        McpClient? client = null;
        try
        {
            client = await McpClient.CreateAsync(transport, options, log);
            if (tool == "notify_later")
            {
                await tap.GetOpened.WaitAsync(TimeSpan.FromSeconds(10));
            }

            await Task.Delay(200);

            // As a client would: list the tools before calling one (the SDK warns about a call to a tool it has not listed).
            await client.ListToolsAsync();
            using var timeout = new CancellationTokenSource(pushTime + TimeSpan.FromSeconds(15));
            try
            {
                var arguments = new Dictionary<string, object?> { ["run"] = run, ["count"] = count, ["intervalMs"] = intervalMs, ["delayMs"] = 200 };
                var result = await client.CallToolAsync(tool, arguments, cancellationToken: timeout.Token);
                answer = result.Content.OfType<TextContentBlock>().FirstOrDefault()?.Text;
            }
            catch (Exception ex) when (ex is OperationCanceledException or McpException or HttpRequestException)
            {
                callError = $"{ex.GetType().Name}: {ex.Message}";
            }

            for (var waited = TimeSpan.Zero; handled.Count < count && waited < pushTime + TimeSpan.FromSeconds(15); waited += TimeSpan.FromMilliseconds(50))
            {
                await Task.Delay(50);
            }

            // A moment for late duplicates.
            await Task.Delay(500);
        }
        catch (Exception ex) when (ex is TimeoutException or McpException or HttpRequestException or InvalidOperationException)
        {
            errors.Add($"{ex.GetType().Name}: {ex.Message}");
        }

        var sdk = typeof(McpClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];
        var report = new JsonObject
        {
            ["sdk"] = sdk,
            ["protocolVersion"] = client?.NegotiatedProtocolVersion,
            ["answer"] = answer,
            ["callError"] = callError,
            ["handled"] = new JsonArray([.. handled.Select(seq => JsonValue.Create(seq))]),
            ["wire"] = new JsonArray([.. tap.WireSeqs.Select(seq => JsonValue.Create(seq))]),
            ["clientResumes"] = tap.Resumes,
            ["problems"] = new JsonArray([.. log.Problems.Select(problem => JsonValue.Create(problem))]),
            ["errors"] = new JsonArray([.. errors.Select(error => JsonValue.Create(error))]),
        };

        if (client is not null)
        {
            try
            {
                // Sends DELETE: the session ends.
                await client.DisposeAsync();
            }
            catch (Exception ex) when (ex is McpException or HttpRequestException or InvalidOperationException)
            {
                errors.Add($"closing failed: {ex.Message}");
            }
        }

        Console.WriteLine(report.ToJsonString());
        return 0;
    }
}
