using ConformanceServer;

// The server of eng/conformance.sh and eng/resume.sh: the conformance fixture (AddConformanceFixture) on one of three
// hosts, at /mcp.
//   --host compat       McpCompat's MapMcpCompat over ModelContextProtocol.Core's transport (the default)
//   --host sdk          the SDK's own MapMcp, without McpCompat (needs a build with ModelContextProtocol.AspNetCore)
//   --host sdk-compat   the SDK's own MapMcp with McpCompat (AddMcpCompat; settings from McpCompat__* variables)
// --store none leaves the SSE event stream store out (streams carry no event ids and cannot be resumed); the default,
// memory, registers one where the SDK has it. --urls to move it (default http://127.0.0.1:5095).
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
if (store is not ("memory" or "none"))
{
    Console.Error.WriteLine($"--store must be memory or none, not '{store}'.");
    return 2;
}

var sdkHost = host is "sdk" or "sdk-compat";
if (sdkHost && !SdkHost.Available)
{
    Console.Error.WriteLine($"--host {host} needs a build with ModelContextProtocol.AspNetCore (-p:McpHosting=AspNetCore).");
    return 2;
}

var mcp = builder.Services.AddMcpServer().AddConformanceFixture(eventStreamStore: store == "memory");
if (sdkHost)
{
    SdkHost.Configure(mcp, eventStreamStore: store == "memory");
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
