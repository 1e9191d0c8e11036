using CompatServer;

// An MCP server on the SDK's own Streamable HTTP host (ModelContextProtocol.AspNetCore), stateful, with McpCompat.
// Settings: McpCompat:SessionIdleTimeout / McpCompat__SessionIdleTimeout (00:30:00), MCP_SESSION_IDLE_TIMEOUT (seconds),
// McpCompat:SessionResumeWindow (1.00:00:00; 00:00:00 turns it off), ConnectionStrings:Redis,
// McpCompat:MaxIdleSessions, McpCompat:Mode (Auto | Native | Fallback), McpCompat:SweepInterval, McpCompat:Guard (true:
// MapMcpCompat's Host/Origin and request checks in front of MapMcp); --urls to move it.
var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:5080");
}

var mcp = builder.Services
    .AddMcpServer()
    .WithHttpTransport(options => options.Stateless = false)
    .WithTools<SampleTools>()
    .AddMcpCompat(options => options.SessionIdleTimeout ??= TimeSpan.FromMinutes(30));

// Evicted sessions resume for McpCompat:SessionResumeWindow (appsettings.json: one day) from a record in the distributed
// cache: Redis when ConnectionStrings:Redis is set (ConnectionStrings__Redis=127.0.0.1:6379), shared by every instance
// of a fleet; this process's memory otherwise.
if (builder.Configuration.GetConnectionString("Redis") is { Length: > 0 } redis)
{
    mcp.AddMcpCompatRedis(redis);
}
else
{
    builder.Services.AddDistributedMemoryCache();
}

var app = builder.Build();
app.MapMcp("/mcp");
await app.RunAsync();
