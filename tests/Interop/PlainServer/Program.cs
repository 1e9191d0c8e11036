using System.ComponentModel;
using System.Diagnostics;
using ModelContextProtocol.Server;

// An upstream for the gateway's checks: the SDK's own Streamable HTTP host, stateful, nothing else. GET /stats answers
// {"sessions": opened - deleted, "rss": bytes}: sessions its clients opened (an initialize answered with a session id)
// less those they deleted; what the SDK itself ends is not seen here. --urls to move it (default http://127.0.0.1:5095).
var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:5095");
}

builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
builder.Services.AddMcpServer().WithHttpTransport(o => o.Stateless = false).WithTools<PlainTools>();
var app = builder.Build();
var opened = 0;
var deleted = 0;
app.Use(async (context, next) =>
{
    var isDelete = HttpMethods.IsDelete(context.Request.Method);
    var hadSession = context.Request.Headers.ContainsKey("Mcp-Session-Id");
    await next(context);
    if (!hadSession && context.Response.Headers.ContainsKey("Mcp-Session-Id") && context.Response.StatusCode == 200)
    {
        Interlocked.Increment(ref opened);
    }
    else if (isDelete && context.Response.StatusCode == 200)
    {
        Interlocked.Increment(ref deleted);
    }
});
app.MapGet("/stats", () =>
{
    using var process = Process.GetCurrentProcess();
    return Results.Json(new { sessions = Volatile.Read(ref opened) - Volatile.Read(ref deleted), rss = process.WorkingSet64 });
});
app.MapMcp("/mcp");
app.Run();

[McpServerToolType]
internal sealed class PlainTools
{
    [McpServerTool(Name = "echo"), Description("Echoes the text.")]
    public static string Echo(string text) => text;

    [McpServerTool(Name = "slow"), Description("Answers after ms milliseconds.")]
    public static async Task<string> SlowAsync(int ms, CancellationToken cancellationToken)
    {
        await Task.Delay(ms, cancellationToken);
        return "done";
    }
}
