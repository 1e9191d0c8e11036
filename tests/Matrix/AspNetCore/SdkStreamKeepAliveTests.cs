using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using System.Text;
using McpCompat.Streams;
using McpCompat.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpCompat.Tests.AspNetCore;

/// <summary>
/// Keep-alives on the SSE streams of the SDK's own <c>MapMcp</c>, on the native and the fallback path: a quiet GET
/// stream or POST answer gets a comment every interval, never inside an event; the SDK's own events arrive whole, once
/// each, in order.
/// </summary>
public sealed class SdkStreamKeepAliveTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(8);

    private static Task<McpTestHost> StartAsync(McpCompatMode mode, TimeSpan? interval = null) => McpTestHost.StartAsync(o =>
    {
        o.Mode = mode;
        o.SessionIdleTimeout = TimeSpan.FromMinutes(5);
        o.KeepAliveInterval = interval ?? Interval;
    });

    [Theory]
    [InlineData(McpCompatMode.Auto)]
    [InlineData(McpCompatMode.Fallback)]
    public async Task QuietGetStream_CommentEachInterval_SessionServedOn(McpCompatMode mode)
    {
        await using var host = await StartAsync(mode);
        var scheduler = host.App.Services.GetRequiredService<KeepAliveScheduler>();
        var id = await host.Client.InitializeAsync();
        using var response = await host.Client.OpenGetStreamAsync(id);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = SseLines.Read(response);
        // Watched from before the response's headers left the server.
        Assert.Equal(1, scheduler.Count);

        await host.Time.TickAsync(scheduler, scheduler.TicksToKeepAlive());
        await lines.CommentsAsync(1).WaitAsync(FakeClock.Bound);
        await host.Time.TickAsync(scheduler, scheduler.TicksToKeepAlive());
        await lines.CommentsAsync(2).WaitAsync(FakeClock.Bound);

        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));
        Assert.All(lines.Snapshot(), line => Assert.Equal(": keep-alive", line.Length == 0 ? ": keep-alive" : line));
        host.Logs.AssertNothingUnhandled();
    }

    [Theory]
    [InlineData(McpCompatMode.Auto)]
    [InlineData(McpCompatMode.Fallback)]
    public async Task ServerNotificationsAmidKeepAlives_EveryEventWholeOnceInOrder(McpCompatMode mode)
    {
        await using var host = await StartAsync(mode);
        var scheduler = host.App.Services.GetRequiredService<KeepAliveScheduler>();
        var tools = host.App.Services.GetRequiredService<IOptions<McpServerOptions>>().Value.ToolCollection!;
        var id = await host.Client.InitializeAsync();
        using var response = await host.Client.OpenGetStreamAsync(id);
        var lines = SseLines.Read(response);
        Assert.Equal(1, scheduler.Count);

        // Each added tool makes the server send notifications/tools/list_changed on the GET stream, while the clock
        // moves keep-alives in between.
        const int notifications = 40;
        for (var i = 0; i < notifications; i++)
        {
            tools.Add(McpServerTool.Create(() => "x", new McpServerToolCreateOptions { Name = $"added-{i}" }));
            host.Time.Advance(scheduler.Tick * (i % 5));
            if (i % 10 == 9)
            {
                // Every ten notifications, once they are all in, at least one keep-alive between them and the next ten,
                // however the machine's load spaced the writes so far.
                await lines.EventsAsync(i + 1).WaitAsync(TimeSpan.FromSeconds(15));
                var comment = lines.CommentsAsync(lines.Comments + 1);
                await host.Time.TickAsync(scheduler, scheduler.TicksToKeepAlive());
                await comment.WaitAsync(FakeClock.Bound);
            }
        }

        await lines.EventsAsync(notifications).WaitAsync(TimeSpan.FromSeconds(15));

        var events = lines.Events();
        Assert.Equal(notifications, events.Count);
        Assert.All(events, e => Assert.Equal("notifications/tools/list_changed", (string?)JsonNode.Parse(e)?["method"]));
        Assert.True(lines.Comments >= 4, $"{lines.Comments} keep-alives");
        Assert.Equal(0, lines.CommentsInsideEvents);
        host.Logs.AssertNothingUnhandled();
    }

    [Theory]
    [InlineData(McpCompatMode.Auto)]
    [InlineData(McpCompatMode.Fallback)]
    public async Task PostAnswerHeldLong_GetsCommentsBetweenEvents_AndItsResultWhole(McpCompatMode mode)
    {
        await using var host = await StartAsync(mode);
        var scheduler = host.App.Services.GetRequiredService<KeepAliveScheduler>();
        var id = await host.Client.InitializeAsync();

        // A GET stream beside the call shows the clock's ticks writing keep-alives while the call is held.
        using var get = await host.Client.OpenGetStreamAsync(id);
        var getLines = SseLines.Read(get);
        Assert.Equal(1, scheduler.Count);
        var call = ReadBodyAsync(host.Client.SendRequestAsync(id, "tools/call", new JsonObject { ["name"] = "wait", ["arguments"] = new JsonObject() }));
        await host.Gate.Entered;

        for (var i = 1; i <= 3; i++)
        {
            await host.Time.TickAsync(scheduler, scheduler.TicksToKeepAlive());
            await getLines.CommentsAsync(i).WaitAsync(FakeClock.Bound);
        }

        // Three intervals passed with the call held: its answer, an event stream, is watched beside the GET stream.
        Assert.False(call.IsCompleted);
        Assert.Equal(2, scheduler.Count);
        host.Gate.ReleaseAll();
        var (status, body) = await call;
        Assert.Equal(HttpStatusCode.OK, status);
        var text = Encoding.UTF8.GetString(body);
        var events = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(events, e => e.StartsWith(':'));
        Assert.All(events, e => Assert.True(e.Split('\n').All(l => l.StartsWith(':')) || e.Split('\n').All(l => !l.StartsWith(':')), $"a comment inside an event: {e}"));
        Assert.Equal("released", (string?)RawMcpClient.ReadMessage(text)?["result"]?["content"]?[0]?["text"]);
    }

    [Fact]
    public async Task KeepAlivesOff_GetStreamUntouched()
    {
        await using var host = await StartAsync(McpCompatMode.Auto, Timeout.InfiniteTimeSpan);
        var scheduler = host.App.Services.GetRequiredService<KeepAliveScheduler>();
        var id = await host.Client.InitializeAsync();
        using var response = await host.Client.OpenGetStreamAsync(id);
        var lines = SseLines.Read(response);

        host.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));

        Assert.Equal(0, scheduler.Count);
        Assert.Equal(0, lines.Comments);
    }

    /// <summary>The status and the body of a response, byte for byte as the server sent it.</summary>
    private static async Task<(HttpStatusCode Status, byte[] Body)> ReadBodyAsync(Task<HttpResponseMessage> sending)
    {
        using var response = await sending;
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>The lines of an SSE response, read in the background: comments counted, events' data kept in order.</summary>
    private sealed class SseLines
    {
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly List<string> _events = [];
        private readonly object _lock = new();
        private int _comments;
        private int _inside;
        private event Action? Changed;

        public int Comments => Volatile.Read(ref _comments);

        /// <summary>Gets how many comments came inside an event (there must be none).</summary>
        public int CommentsInsideEvents => Volatile.Read(ref _inside);

        public static SseLines Read(HttpResponseMessage response)
        {
            var lines = new SseLines();
            _ = Task.Run(async () =>
            {
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
                string? data = null;
                try
                {
                    while (await reader.ReadLineAsync() is { } line)
                    {
                        lines._lines.Enqueue(line);
                        if (line.StartsWith(':'))
                        {
                            // A comment only ever comes between events.
                            if (data is not null)
                            {
                                Interlocked.Increment(ref lines._inside);
                            }

                            Interlocked.Increment(ref lines._comments);
                        }
                        else if (line.StartsWith("data: ", StringComparison.Ordinal))
                        {
                            data = line["data: ".Length..];
                        }
                        else if (line.Length == 0 && data is not null)
                        {
                            lock (lines._lock)
                            {
                                lines._events.Add(data);
                            }

                            data = null;
                        }

                        lines.Changed?.Invoke();
                    }
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or HttpRequestException or OperationCanceledException)
                {
                    // The response was disposed.
                }
            });
            return lines;
        }

        public IReadOnlyList<string> Snapshot() => [.. _lines];

        public List<string> Events()
        {
            lock (_lock)
            {
                return [.. _events];
            }
        }

        public Task CommentsAsync(int count) => UntilAsync(() => Comments >= count);

        public Task EventsAsync(int count) => UntilAsync(() => Events().Count >= count);

        private Task UntilAsync(Func<bool> done)
        {
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Action check = () =>
            {
                if (done())
                {
                    reached.TrySetResult();
                }
            };
            Changed += check;
            check();
            return reached.Task;
        }
    }
}
