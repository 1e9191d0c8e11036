using System.Diagnostics;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace NotifyingServer;

/// <summary>
/// What a session pushes on its GET stream once started, for a given time, from two loops at once:
/// <list type="bullet">
/// <item>numbered log messages (<c>notifications/message</c>, data <c>{ "seq": n, "pad": … }</c>, the pad 1–4 KB and
/// derived from the number so that a client can check it whole) in bursts of 5 to 25, 10–20 ms apart, with a pause of
/// 150–400 ms after each burst: longer than a 100 ms keep-alive interval, so keep-alives fall between events;</item>
/// <item>a tool added to the session's own collection every 250 ms, on which the SDK sends
/// <c>notifications/tools/list_changed</c>;</item>
/// </list>
/// then one closing log message with the totals: data <c>{ "end": true, "messages": …, "listChanged": …, "pauses": … }</c>.
/// Log messages are sent under the method's name, not through the SDK's logger, so no logging level filters them and a
/// client need not set one. The schedule of bursts and pauses follows the seed.
/// </summary>
internal sealed class Pushes(McpServer server, TimeSpan duration, int seed)
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// <summary>The pad of log message <paramref name="seq"/>: 1,024 to 4,095 characters, each following from the number.</summary>
    public static string Pad(long seq)
    {
        var length = 1024 + (int)(seq * 7919 % 3072);
        return string.Create(length, seq, static (span, seq) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Alphabet[(int)((seq + i) % Alphabet.Length)];
            }
        });
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            var start = Stopwatch.GetTimestamp();
            var logs = Task.Run(() => SendLogMessagesAsync(start, cancellationToken), cancellationToken);
            var tools = Task.Run(() => AddToolsAsync(start, cancellationToken), cancellationToken);
            var (messages, pauses) = await logs;
            var listChanged = await tools;

            // The SDK sends a list change without awaiting it: let the last one go out before the totals.
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            await SendLogMessageAsync(new JsonObject
            {
                ["end"] = true,
                ["messages"] = messages,
                ["listChanged"] = listChanged,
                ["pauses"] = pauses,
            }, cancellationToken);
            Console.WriteLine($"session {server.SessionId}: pushed {messages} log messages in {pauses} bursts and {listChanged} list changes");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.WriteLine($"session {server.SessionId}: ended while pushing");
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"session {server.SessionId}: pushing failed: {ex}");
        }
    }

    private async Task<(long Messages, int Pauses)> SendLogMessagesAsync(long start, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        long seq = 0;
        var pauses = 0;
        while (Stopwatch.GetElapsedTime(start) < duration)
        {
            var burst = random.Next(5, 26);
            for (var i = 0; i < burst; i++)
            {
                await SendLogMessageAsync(new JsonObject { ["seq"] = seq, ["pad"] = Pad(seq) }, cancellationToken);
                seq++;
                await Task.Delay(random.Next(10, 21), cancellationToken);
            }

            await Task.Delay(random.Next(150, 401), cancellationToken);
            pauses++;
        }

        return (seq, pauses);
    }

    private async Task<int> AddToolsAsync(long start, CancellationToken cancellationToken)
    {
        var tools = server.ServerOptions.ToolCollection ?? throw new InvalidOperationException("The session has no tool collection.");
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        var added = 0;
        while (await timer.WaitForNextTickAsync(cancellationToken) && Stopwatch.GetElapsedTime(start) < duration)
        {
            var number = added;
            tools.Add(McpServerTool.Create(() => number, new McpServerToolCreateOptions { Name = $"added-{number}" }));
            added++;
        }

        return added;
    }

    private Task SendLogMessageAsync(JsonObject data, CancellationToken cancellationToken) =>
        server.SendMessageAsync(
            new JsonRpcNotification
            {
                Method = "notifications/message",
                Params = new JsonObject { ["level"] = "info", ["logger"] = "pushes", ["data"] = data },
            },
            cancellationToken);
}
