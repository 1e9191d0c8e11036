using ConformanceServer;

// The server of eng/conformance.sh: the conformance fixture (AddConformanceFixture) on one of two hosts, at /mcp.
//   --host compat   McpCompat's MapMcpCompat over ModelContextProtocol.Core's transport (the default)
//   --host sdk      the SDK's own MapMcp, without McpCompat (needs a build with ModelContextProtocol.AspNetCore)
// --urls to move it (default http://127.0.0.1:5095).
var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:5095");
}

var host = builder.Configuration["host"] ?? "compat";
if (host is not ("compat" or "sdk"))
{
    Console.Error.WriteLine($"--host must be compat or sdk, not '{host}'.");
    return 2;
}

if (host == "sdk" && !SdkHost.Available)
{
    Console.Error.WriteLine("--host sdk needs a build with ModelContextProtocol.AspNetCore (-p:McpHosting=AspNetCore).");
    return 2;
}

var mcp = builder.Services.AddMcpServer().AddConformanceFixture();
if (host == "sdk")
{
    SdkHost.Configure(mcp);
}
else
{
    mcp.AddMcpCompat();
}

var app = builder.Build();
if (host == "sdk")
{
    SdkHost.Map(app, "/mcp");
}
else
{
    app.MapMcpCompat("/mcp");
}

Console.WriteLine($"Conformance fixture on {(host == "sdk" ? "the SDK's MapMcp" : "MapMcpCompat")}");
await app.RunAsync();
return 0;
