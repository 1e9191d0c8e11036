using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using McpCompat.Benchmarks;
using McpCompat;
using ModelContextProtocol.Server;

// Churn: opens N sessions against an in-process MCP server on 127.0.0.1 and abandons them, then reports the
// managed heap (after a forced full GC) at baseline, with the sessions open, and once the idle timeout has passed.
// Usage: dotnet run -c Release --project bench/Churn -- [sessions=2000] [mode=Fallback|Native|Off] [timeoutSeconds=2] [--json FILE]
//   Off: no McpCompat, the SDK's own defaults. --json also writes the result as JSON (eng/perf.sh reads it).
var jsonAt = Array.IndexOf(args, "--json");
var jsonPath = jsonAt >= 0 ? args[jsonAt + 1] : null;
string[] positional = jsonAt >= 0 ? [.. args[..jsonAt], .. args[(jsonAt + 2)..]] : args;
var sessions = positional.Length > 0 ? int.Parse(positional[0], CultureInfo.InvariantCulture) : 2000;
var mode = positional.Length > 1 ? positional[1] : "Fallback";
var timeoutSeconds = positional.Length > 2 ? double.Parse(positional[2], CultureInfo.InvariantCulture) : 2;

var builder = WebApplication.CreateSlimBuilder();
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Logging.ClearProviders();
var mcp = builder.Services.AddMcpServer().WithHttpTransport(o => o.Stateless = false).WithTools<ChurnTools>();
if (mode != "Off")
{
    mcp.AddMcpCompat(o =>
    {
        o.Mode = Enum.Parse<McpCompatMode>(mode);
        o.SessionIdleTimeout = TimeSpan.FromSeconds(timeoutSeconds);
    });
}

await using var app = builder.Build();
app.MapMcp("/mcp");
await app.StartAsync();
var endpoint = new Uri(app.Urls.Single() + "/mcp");
using var http = new HttpClient();

async Task<string> InitializeAsync()
{
    using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
    {
        Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"churn","version":"1"}}}""", Encoding.UTF8, "application/json"),
    };
    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
    using var response = await http.SendAsync(request);
    await response.Content.ReadAsStringAsync();
    return response.Headers.GetValues("Mcp-Session-Id").Single();
}

async Task<int> PingAsync(string id)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
    {
        Content = new StringContent("""{"jsonrpc":"2.0","id":2,"method":"ping"}""", Encoding.UTF8, "application/json"),
    };
    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
    request.Headers.Add("Mcp-Session-Id", id);
    using var response = await http.SendAsync(request);
    await response.Content.ReadAsStringAsync();
    return (int)response.StatusCode;
}

static long ManagedBytes()
{
    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    GC.WaitForPendingFinalizers();
    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    return GC.GetTotalMemory(forceFullCollection: true);
}

// Warm up (JIT, pools), then measure.
for (var i = 0; i < 50; i++)
{
    await InitializeAsync();
}

await Task.Delay(TimeSpan.FromSeconds(timeoutSeconds + 3));
var baseline = ManagedBytes();

var ids = new List<string>(sessions);
var clock = Stopwatch.StartNew();
for (var i = 0; i < sessions; i++)
{
    ids.Add(await InitializeAsync());
}

var openSeconds = clock.Elapsed.TotalSeconds;
var withSessions = ManagedBytes();

// Wait out the timeout plus the slower of the two sweep intervals (the SDK's is 5 s).
var waitSeconds = timeoutSeconds + 6;
await Task.Delay(TimeSpan.FromSeconds(waitSeconds));
var after = ManagedBytes();
var stillAnswering = 0;
foreach (var id in ids)
{
    if (await PingAsync(id) != 404)
    {
        stillAnswering++;
    }
}

await app.StopAsync();
var mib = (long b) => (b / 1024.0 / 1024.0).ToString("0.00", CultureInfo.InvariantCulture);
Console.WriteLine($"| {mode} | {sessions} | {timeoutSeconds} s | {mib(baseline)} | {mib(withSessions)} | {((withSessions - baseline) / (double)sessions / 1024).ToString("0.0", CultureInfo.InvariantCulture)} | {mib(after)} | {stillAnswering} | {openSeconds.ToString("0.0", CultureInfo.InvariantCulture)} |");
if (jsonPath is not null)
{
    await ResultJson.WriteAsync(jsonPath, new ChurnResult(mode, sessions, timeoutSeconds, openSeconds, waitSeconds, baseline, withSessions, after, stillAnswering));
}

[McpServerToolType]
internal sealed class ChurnTools
{
    [McpServerTool(Name = "echo"), Description("Echoes.")]
    public static string Echo(string message) => message;
}
