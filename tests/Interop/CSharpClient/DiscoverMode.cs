using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace CSharpClient;

/// <summary>
/// The `discover` mode of eng/interop.sh: the SDK's McpClient with its default options, which prefer the revision
/// without sessions (2026-07-28) and fall back to the initialize handshake when the server refuses it. Connects, lists
/// the tools, calls `echo`, and reports the revision negotiated and whether a session was given, as one JSON line.
/// Usage: dotnet CSharpClient.dll discover &lt;endpoint&gt; &lt;expected revision, or "handshake"&gt; &lt;session: yes|no&gt;
/// ("handshake": any revision the client reached through initialize, i.e. not 2026-07-28.) Exits 1 when the revision or
/// the session is not the expected one, or a call fails.
/// </summary>
internal static class DiscoverMode
{
    public static async Task<int> RunAsync(string[] args)
    {
        var endpoint = new Uri(args[0]);
        var expectedRevision = args[1];
        var expectSession = args[2] == "yes";
        var failures = new List<string>();
        string? revision = null;
        string? sessionId = null;
        int? tools = null;
        string? echoed = null;
        try
        {
            var transport = new HttpClientTransport(new HttpClientTransportOptions { Endpoint = endpoint, TransportMode = HttpTransportMode.StreamableHttp });
            await using var client = await McpClient.CreateAsync(transport, new McpClientOptions
            {
                ClientInfo = new Implementation { Name = "discover-client", Version = "1.0.0" },
            });
            revision = client.NegotiatedProtocolVersion;
            sessionId = client.SessionId;
            tools = (await client.ListToolsAsync()).Count;
            var result = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "hello" });
            echoed = (result.Content.FirstOrDefault() as TextContentBlock)?.Text;
        }
        catch (Exception ex)
        {
            failures.Add($"{ex.GetType().Name}: {ex.Message}");
        }

        if (expectedRevision == "handshake" ? revision is null or "2026-07-28" : revision != expectedRevision)
        {
            failures.Add($"negotiated {revision ?? "nothing"}, expected {expectedRevision}");
        }

        if (string.IsNullOrEmpty(sessionId) == expectSession)
        {
            failures.Add(expectSession ? "no session was given" : $"a session was given ({sessionId})");
        }

        if (echoed is null || !echoed.Contains("hello", StringComparison.Ordinal))
        {
            failures.Add($"echo answered {echoed ?? "nothing"}");
        }

        Console.WriteLine(new JsonObject
        {
            ["client"] = "csharp " + typeof(McpClient).Assembly.GetName().Version?.ToString(3),
            ["revision"] = revision,
            ["session"] = !string.IsNullOrEmpty(sessionId),
            ["tools"] = tools,
            ["echo"] = echoed,
            ["failures"] = new JsonArray([.. failures.Select(f => JsonValue.Create(f))]),
        }.ToJsonString());
        return failures.Count == 0 ? 0 : 1;
    }
}
