using NotifyingServer;

// The server of eng/clients.sh: an MCP server on the SDK's own Streamable HTTP host (MapMcp), stateful, with McpCompat
// (set from the environment: McpCompat__Mode, McpCompat__KeepAliveInterval, ...). A client whose GET stream is open
// calls the `start` tool; its session then pushes notifications on that GET stream for the given time (Pushes).
// --urls to move it (default http://127.0.0.1:5093).
var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:5093");
}

var sessions = new SessionServers();
builder.Services.AddSingleton(sessions);
builder.Services
    .AddMcpServer()
    .WithHttpTransport(options =>
    {
        options.Stateless = false;

        // Setting it gives each session options of its own; the tool collection is then replaced by a copy, so that a
        // tool added for one session changes that session's list only, whatever the SDK shares between sessions.
        options.ConfigureSessionOptions = (_, serverOptions, _) =>
        {
            serverOptions.ToolCollection = SessionServers.CopyTools(serverOptions.ToolCollection);
            return Task.CompletedTask;
        };

#pragma warning disable MCPEXP002 // RunSessionHandler is experimental.
        // The session's own server, bound to no request: what it sends goes to the session's GET stream.
        options.RunSessionHandler = (_, server, cancellationToken) => sessions.RunAsync(server, cancellationToken);
#pragma warning restore MCPEXP002
    })
    .WithTools<StartTool>()
    .AddMcpCompat();

var app = builder.Build();
app.MapMcp("/mcp");
await app.RunAsync();
