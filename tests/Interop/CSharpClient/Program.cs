using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using CSharpClient;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

// The C# client of eng/clients.sh: the SDK's McpClient keeps receiving every notification a server pushes on its GET
// stream between keep-alive comments (tests/Interop/NotifyingServer). Once its GET stream is open it calls `start`; the
// server then pushes numbered log messages in bursts with quiet pauses and, concurrently, tool-list changes, and at the
// end one log message with the totals. Checks: every number handled exactly once, none missing, each pad whole; on the
// wire (a tap under the SDK's HttpClient) every number in order, every event readable, keep-alives only between events
// and at least one for every four pauses; as many list changes as the server made; nothing logged by the SDK at Warning
// or above; one GET stream (no reconnection). The SDK hands each incoming message to its handler on a task of its own,
// so handlers may run out of the wire's order: their order is reported, not checked.
// Prints one JSON line; exits 1 when a check fails.
// Usage: dotnet CSharpClient.dll <endpoint> <seconds> [seed=2]
// The first argument `resume` runs the resume mode of eng/resume.sh instead (ResumeMode); `discover`, that of
// eng/interop.sh (DiscoverMode).
if (args is ["resume", .. var resumeArgs])
{
    return await ResumeMode.RunAsync(resumeArgs);
}

// `discover` checks which revision the client's default options end up with (DiscoverMode).
if (args is ["discover", .. var discoverArgs])
{
    return await DiscoverMode.RunAsync(discoverArgs);
}

var endpoint = new Uri(args.Length > 0 ? args[0] : "http://127.0.0.1:5093/mcp");
var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 30;
var seed = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;

var failures = new List<string>();
var handled = new ConcurrentQueue<long>();
var corrupted = new ConcurrentQueue<string>();
var listChanged = 0;
var totalsReceived = 0;
var end = new TaskCompletionSource<JsonNode>(TaskCreationOptions.RunContinuationsAsynchronously);

ValueTask OnLogMessage(JsonRpcNotification notification, CancellationToken cancellationToken)
{
    var data = notification.Params?["data"];
    if (data?["end"] is JsonValue)
    {
        Interlocked.Increment(ref totalsReceived);
        end.TrySetResult(data);
    }
    else if (data?["seq"] is JsonValue seqValue && seqValue.TryGetValue<long>(out var seq))
    {
        handled.Enqueue(seq);
        if (data["pad"] is not JsonValue pad || !pad.TryGetValue<string>(out var text) || text != Pad(seq))
        {
            corrupted.Enqueue(seq.ToString(CultureInfo.InvariantCulture));
        }
    }
    else
    {
        corrupted.Enqueue(notification.Params?.ToJsonString() ?? "(no params)");
    }

    return ValueTask.CompletedTask;
}

ValueTask OnListChanged(JsonRpcNotification notification, CancellationToken cancellationToken)
{
    Interlocked.Increment(ref listChanged);
    return ValueTask.CompletedTask;
}

var tap = new GetStreamTap();
using var http = new HttpClient(tap);
var log = new ProblemLog();
var transport = new HttpClientTransport(
    new HttpClientTransportOptions { Endpoint = endpoint, TransportMode = HttpTransportMode.StreamableHttp },
    http,
    log,
    ownsHttpClient: false);
var options = new McpClientOptions
{
    ClientInfo = new Implementation { Name = "notifications-client", Version = "1.0.0" },
    // The GET stream under test belongs to a session: the newest revision with sessions, as the resume mode asks. With its
    // default options the client first tries the revision without sessions (server/discover), which a host that checks
    // no MCP-Protocol-Version header (ModelContextProtocol.AspNetCore 0.8.0-preview.1) answers with -32601, logged by the
    // SDK as a warning before it falls back to the handshake. eng/interop.sh checks the default revisions on MapMcpCompat.
    ProtocolVersion = "2025-11-25",
    Handlers = new McpClientHandlers
    {
        NotificationHandlers =
        [
            // notifications/message by name: the constant is obsolete on 2.x SDKs (the 2026-07-28 revision deprecates logging).
            new("notifications/message", OnLogMessage),
            new(NotificationMethods.ToolListChangedNotification, OnListChanged),
        ],
    },
};

JsonNode? totals = null;
McpClient? client = null;
try
{
    client = await McpClient.CreateAsync(transport, options, log);
    await tap.Opened.WaitAsync(TimeSpan.FromSeconds(10));

    // As a client would: list the tools before calling one (the SDK warns about a call to a tool it has not listed).
    await client.ListToolsAsync();
    await client.CallToolAsync("start", new Dictionary<string, object?> { ["seconds"] = seconds, ["seed"] = seed });
    totals = await end.Task.WaitAsync(TimeSpan.FromSeconds(seconds + 30));

    // List changes go out unawaited on the server: the last may trail the totals. Then a moment for late duplicates.
    var expectedChanges = totals["listChanged"]!.GetValue<int>();
    for (var waited = 0; Volatile.Read(ref listChanged) < expectedChanges && waited < 3000; waited += 50)
    {
        await Task.Delay(50);
    }

    await Task.Delay(500);
}
catch (Exception ex) when (ex is TimeoutException or McpException or HttpRequestException or InvalidOperationException)
{
    failures.Add($"{ex.GetType().Name}: {ex.Message}");
}

var sent = totals?["messages"]?.GetValue<long>() ?? 0;
var changesSent = totals?["listChanged"]?.GetValue<int>();
var handledList = handled.ToList();
var counts = handledList.GroupBy(seq => seq).ToDictionary(group => group.Key, group => group.Count());
var missing = Enumerable.Range(0, (int)sent).Select(seq => (long)seq).Where(seq => !counts.ContainsKey(seq)).ToList();
var duplicated = counts.Where(pair => pair.Value > 1).Select(pair => pair.Key).Order().ToList();
var unexpected = counts.Keys.Where(seq => seq < 0 || seq >= sent).Order().ToList();
var handledOutOfOrder = handledList.Zip(handledList.Skip(1)).Count(pair => pair.Second < pair.First);
var wire = tap.Tally.WireSeqs;
var wireOutOfOrder = wire.Zip(wire.Skip(1)).Count(pair => pair.Second != pair.First + 1) + (wire.Count > 0 && wire[0] != 0 ? 1 : 0);
var problems = log.Problems;

static string Few<T>(IReadOnlyCollection<T> items) =>
    string.Join(",", items.Take(10)) + (items.Count > 10 ? $",… ({items.Count})" : "");

if (totals is null)
{
    failures.Add("no totals");
}

if (Volatile.Read(ref totalsReceived) > 1)
{
    failures.Add("the totals arrived twice");
}

if (missing.Count > 0)
{
    failures.Add($"missing: {Few(missing)}");
}

if (duplicated.Count > 0)
{
    failures.Add($"duplicated: {Few(duplicated)}");
}

if (unexpected.Count > 0)
{
    failures.Add($"numbers never sent: {Few(unexpected)}");
}

if (!corrupted.IsEmpty)
{
    failures.Add($"corrupted: {Few(corrupted.ToList())}");
}

if (wire.Count != sent || wireOutOfOrder > 0)
{
    failures.Add($"on the wire: {wire.Count} log messages of {sent}, {wireOutOfOrder} out of order or gapped");
}

if (tap.Tally.UnreadableEvents > 0)
{
    failures.Add($"on the wire: {tap.Tally.UnreadableEvents} events not one JSON object");
}

if (tap.Tally.CommentsInsideEvents > 0)
{
    failures.Add($"on the wire: {tap.Tally.CommentsInsideEvents} comments inside an event");
}

// Keep-alives must really fall between events: at least one for every four pauses (about two per pause are usual).
var fewestKeepAlives = Math.Max(1, (totals?["pauses"]?.GetValue<int>() ?? 0) / 4);
if (tap.Tally.KeepAlivesBetweenEvents < fewestKeepAlives)
{
    failures.Add($"{tap.Tally.KeepAlivesBetweenEvents} keep-alives between two events, fewer than {fewestKeepAlives}");
}

if (changesSent is { } changes && listChanged != changes)
{
    failures.Add($"list changes: {listChanged} received, {changes} sent");
}

if (tap.GetStreams != 1)
{
    failures.Add($"{tap.GetStreams} GET streams (expected one, no reconnection)");
}

if (problems.Count > 0)
{
    failures.Add($"the SDK logged: {Few(problems)}");
}

try
{
    if (client is not null)
    {
        // Sends DELETE: the session ends.
        await client.DisposeAsync();
    }
}
catch (Exception ex) when (ex is McpException or HttpRequestException or InvalidOperationException)
{
    failures.Add($"closing failed: {ex.Message}");
}

var result = new JsonObject
{
    ["client"] = "csharp",
    ["protocolVersion"] = client?.NegotiatedProtocolVersion,
    ["messagesSent"] = sent,
    ["messagesReceived"] = handledList.Count,
    ["listChangedSent"] = changesSent,
    ["listChangedReceived"] = listChanged,
    ["pauses"] = totals?["pauses"]?.GetValue<int>(),
    ["getStreams"] = tap.GetStreams,
    ["bytes"] = tap.Tally.Bytes,
    ["events"] = tap.Tally.Events,
    ["keepAlives"] = tap.Tally.KeepAlives,
    ["keepAlivesBetweenEvents"] = tap.Tally.KeepAlivesBetweenEvents,
    ["otherComments"] = tap.Tally.OtherComments,
    ["handledOutOfWireOrder"] = handledOutOfOrder,
    ["failures"] = new JsonArray([.. failures.Select(failure => JsonValue.Create(failure))]),
};
Console.WriteLine(result.ToJsonString());
return failures.Count == 0 ? 0 : 1;

// The pad the server derives from a log message's number (NotifyingServer's Pushes.Pad).
static string Pad(long seq)
{
    const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    var length = 1024 + (int)(seq * 7919 % 3072);
    return string.Create(length, seq, static (span, seq) =>
    {
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = Alphabet[(int)((seq + i) % Alphabet.Length)];
        }
    });
}
