// McpCompat Gateway in front of MCP servers of any language: bounded, expiring sessions for servers that have neither.
//   dotnet run --project samples/Gateway -- --upstream http://127.0.0.1:3000/mcp [--upstream …] [--urls http://127.0.0.1:8080]
// One --upstream per replica (or Gateway:Upstreams:0, :1 … in configuration). The gateway serves /mcp of its own URL.
// Settings are McpCompat's, from appsettings.json and the environment: MCP_SESSION_IDLE_TIMEOUT (seconds),
// McpCompat__SessionIdleTimeout (30m), McpCompat__MaxSessions, McpCompat__KeepAliveInterval, McpCompat__AllowedHosts__0,
// McpCompat__SessionResumeWindow (appsettings.json: one day; 0s turns it off), ConnectionStrings__Redis (a fleet).
var upstreams = new List<string>();
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] is "--upstream" or "/upstream")
    {
        upstreams.Add(args[++i]);
    }
}

var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:8080");
}

upstreams.AddRange(builder.Configuration.GetSection("Gateway:Upstreams").GetChildren().Select(c => c.Value).OfType<string>());
if (upstreams.Count == 0)
{
    Console.Error.WriteLine("Gateway: no upstream. Give one or more: --upstream http://127.0.0.1:3000/mcp");
    return 2;
}

builder.Services.AddMcpCompatGateway();

// A session the gateway ended for being idle resumes under its id for McpCompat:SessionResumeWindow, from its record in
// the distributed cache: Redis when ConnectionStrings:Redis is set (ConnectionStrings__Redis=127.0.0.1:6379), shared by
// every gateway of a fleet, which then tell each other of a client's DELETE; this process's memory otherwise.
if (builder.Configuration.GetConnectionString("Redis") is { Length: > 0 } redis)
{
    builder.Services.AddMcpCompatRedis(redis);
}
else
{
    builder.Services.AddDistributedMemoryCache();
}
var app = builder.Build();
app.MapMcpCompatGateway("/mcp", [.. upstreams]);
await app.RunAsync();
return 0;
