using CoreOnlyServer;

// An MCP server on ModelContextProtocol alone (no ModelContextProtocol.AspNetCore): McpCompat hosts Streamable HTTP
// over the SDK's transport (MapMcpCompat) and expires idle sessions. Same settings as samples/CompatServer.
var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:5081");
}

var mcp = builder.Services
    .AddMcpServer()
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

app.MapMcpCompat("/mcp");
await app.RunAsync();
