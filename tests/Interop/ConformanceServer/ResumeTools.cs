#if MCPSDK_1_0_OR_GREATER
using System.ComponentModel;
using System.Text.Json.Nodes;
using ModelContextProtocol.Server;

namespace ConformanceServer;

/// <summary>
/// The tools of eng/resume.sh: numbered log messages, on the call's own stream or on the session's GET stream, that a
/// client must receive exactly once and in order although its connection is cut or the server ends its stream.
/// Each message's data is <c>{"run": run, "seq": n, "of": count}</c>, in that order, so a proxy can spot one on the wire.
/// </summary>
[McpServerToolType]
internal sealed class ResumeTools
{
    [McpServerTool(Name = "notify_then_answer")]
    [Description("Sends count numbered log messages on the call's stream, intervalMs apart, then answers.")]
    public static async Task<ToolResult> NotifyThenAnswer(
        SessionServer server,
        [Description("A label carried by every message.")] string run,
        [Description("How many messages.")] int count,
        [Description("The pause between two messages, in milliseconds.")] int intervalMs,
        CancellationToken cancellationToken)
    {
        for (var seq = 0; seq < count; seq++)
        {
            if (seq > 0)
            {
                await Task.Delay(intervalMs, cancellationToken);
            }

            await SendAsync(server, run, seq, count, cancellationToken);
        }

        return Wire.Result(Wire.Text($"{run}: sent {count}"));
    }

    [McpServerTool(Name = "notify_later")]
    [Description("Answers at once; delayMs later sends count numbered log messages, intervalMs apart, outside the call: on the session's GET stream.")]
    public static ToolResult NotifyLater(
        SessionServer server,
        [Description("A label carried by every message.")] string run,
        [Description("How many messages.")] int count,
        [Description("The pause between two messages, in milliseconds.")] int intervalMs,
        [Description("The pause before the first message, in milliseconds; the answer must have gone out by then.")] int delayMs)
    {
        // The call's server sends on the call's stream until the answer is written, and on the session's GET stream
        // after it (the SDK's transport falls back to it): the pause lets the answer go first.
        _ = Task.Run(async () =>
        {
            await Task.Delay(Math.Max(delayMs, 100));
            for (var seq = 0; seq < count; seq++)
            {
                if (seq > 0)
                {
                    await Task.Delay(intervalMs);
                }

                try
                {
                    await SendAsync(server, run, seq, count, CancellationToken.None);
                }
                catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or OperationCanceledException)
                {
                    // The session ended.
                    return;
                }
            }

            Console.WriteLine($"{run}: sent {count} on the GET stream");
        });
        return Wire.Result(Wire.Text($"{run}: {count} messages scheduled"));
    }

    private static Task SendAsync(SessionServer server, string run, int seq, int count, CancellationToken cancellationToken)
    {
        var data = new JsonObject { ["run"] = run, ["seq"] = seq, ["of"] = count };
        var message = new JsonObject { ["level"] = "info", ["logger"] = "resume", ["data"] = data };
        return Wire.NotifyClientAsync(server, "notifications/message", message, cancellationToken);
    }
}
#endif
