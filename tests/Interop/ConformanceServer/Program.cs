using ConformanceServer;

// The server of eng/conformance.sh and eng/resume.sh: the conformance fixture (AddConformanceFixture) on one of three
// hosts, at /mcp.
//   --host compat       McpCompat's MapMcpCompat over ModelContextProtocol.Core's transport (the default)
//   --host sdk          the SDK's own MapMcp, without McpCompat (needs a build with ModelContextProtocol.AspNetCore)
//   --host sdk-compat   the SDK's own MapMcp with McpCompat (AddMcpCompat; settings from McpCompat__* variables)
// --store none leaves the SSE event stream store out (streams carry no event ids and cannot be resumed); the default,
// memory, registers one where the SDK has it, over an in-memory distributed cache; redis, the same store over Redis
// (ConnectionStrings:Redis, e.g. ConnectionStrings__Redis=127.0.0.1:6379). --listen hold registers a subscriptions/listen
// handler that holds its stream open (ListenHold; SDK 2.1.0 and later). --urls to move it (default http://127.0.0.1:5095).
var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:5095");
}

var host = builder.Configuration["host"] ?? "compat";
if (host is not ("compat" or "sdk" or "sdk-compat"))
{
    Console.Error.WriteLine($"--host must be compat, sdk or sdk-compat, not '{host}'.");
    return 2;
}

var store = builder.Configuration["store"] ?? "memory";
if (store is not ("memory" or "redis" or "none"))
{
    Console.Error.WriteLine($"--store must be memory, redis or none, not '{store}'.");
    return 2;
}

if (store == "redis")
{
    if (builder.Configuration.GetConnectionString("Redis") is not { Length: > 0 } redis)
    {
        Console.Error.WriteLine("--store redis needs ConnectionStrings:Redis (ConnectionStrings__Redis=host:port).");
        return 2;
    }

    builder.Services.AddStackExchangeRedisCache(options => options.Configuration = redis);
}

var sdkHost = host is "sdk" or "sdk-compat";
if (sdkHost && !SdkHost.Available)
{
    Console.Error.WriteLine($"--host {host} needs a build with ModelContextProtocol.AspNetCore (-p:McpHosting=AspNetCore).");
    return 2;
}

var listen = builder.Configuration["listen"];
if (listen is not (null or "hold") || (listen == "hold" && !ListenHold.Available))
{
    Console.Error.WriteLine(listen == "hold" ? "--listen hold needs ModelContextProtocol 2.1.0 or later." : $"--listen must be hold, not '{listen}'.");
    return 2;
}

var mcp = builder.Services.AddMcpServer().AddConformanceFixture(eventStreamStore: store != "none");
if (listen == "hold")
{
    ListenHold.Add(mcp);
}
if (sdkHost)
{
    SdkHost.Configure(mcp, eventStreamStore: store != "none");
}

if (host != "sdk")
{
    mcp.AddMcpCompat();
}

var app = builder.Build();
if (sdkHost)
{
    SdkHost.Map(app, "/mcp");
}
else
{
    app.MapMcpCompat("/mcp");
}

var hostName = host switch
{
    "sdk" => "the SDK's MapMcp",
    "sdk-compat" => "the SDK's MapMcp with McpCompat",
    _ => "MapMcpCompat",
};
Console.WriteLine($"Conformance fixture on {hostName}, event stream store: {store}");
await app.RunAsync();
return 0;
