using System.Net;
using System.Text.Json;

namespace McpCompat.Cli;

/// <summary>
/// <c>mcpcompat probe --gateway &lt;url&gt;</c>: asks McpCompat Gateway for what it has learned of its upstreams
/// (<c>GET</c> on its MCP endpoint, accepting <see cref="MediaType"/>) and prints it as a table or as the JSON it sent.
/// </summary>
internal static class GatewayProbeCommand
{
    /// <summary>The media type of the gateway's report.</summary>
    public const string MediaType = "application/vnd.mcpcompat.gateway+json";

    /// <summary>How long the gateway has to answer.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static int Run(string url, bool json, TextWriter stdout, TextWriter stderr, HttpMessageHandler? handler = null)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            stderr.WriteLine($"mcpcompat: --gateway '{url}' is not an absolute http or https URL, such as http://127.0.0.1:8080/mcp.");
            return ProbeCommand.BadArguments;
        }

        string text;
        using (var http = new HttpClient(handler ?? new SocketsHttpHandler(), disposeHandler: handler is null) { Timeout = Timeout })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, endpoint);
            request.Headers.Accept.ParseAdd(MediaType);
            try
            {
                using var response = http.Send(request);
                using var reader = new StreamReader(response.Content.ReadAsStream());
                text = reader.ReadToEnd();
                if (response.StatusCode != HttpStatusCode.OK || response.Content.Headers.ContentType?.MediaType != MediaType)
                {
                    stderr.WriteLine($"mcpcompat: {endpoint} answered {(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType ?? "(no content type)"}, not McpCompat Gateway's report: it is not the gateway's MCP endpoint, or the question came from another machine (the gateway answers its own machine only).");
                    return ProbeCommand.NothingToProbe;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                stderr.WriteLine($"mcpcompat: could not reach {endpoint}: {(ex is TaskCanceledException ? $"no answer within {Timeout.TotalSeconds:0} s" : ex.Message)}");
                return ProbeCommand.NothingToProbe;
            }
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            if (json)
            {
                stdout.WriteLine(text.Trim());
            }
            else
            {
                WriteTable(endpoint, document.RootElement, stdout);
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            stderr.WriteLine($"mcpcompat: {endpoint} sent a report that could not be read: {ex.Message}");
            return ProbeCommand.NothingToProbe;
        }

        return ProbeCommand.Success;
    }

    private static void WriteTable(Uri endpoint, JsonElement report, TextWriter writer)
    {
        writer.WriteLine($"{report.GetProperty("gateway").GetString()} {Text(report, "version")} at {endpoint}");
        var window = Text(report, "sessionResumeWindow");
        var resume = window == "-" ? "sessions do not resume" : $"sessions resume for {window} ({Text(report, "sessionStore")}, {Text(report, "sessionRecords")} records)";
        writer.WriteLine($"  sessions {Text(report, "sessions")} of {Text(report, "maxSessions")}; idle timeout {Text(report, "sessionIdleTimeout")}; {resume}");
        foreach (var route in report.GetProperty("routes").EnumerateArray())
        {
            writer.WriteLine();
            writer.WriteLine($"Route {Text(route, "pattern")}");
            foreach (var upstream in route.GetProperty("upstreams").EnumerateArray())
            {
                writer.WriteLine($"  upstream {Text(upstream, "endpoint")}");
                var info = upstream.GetProperty("serverInfo");
                var server = info.ValueKind == JsonValueKind.Object
                    ? $"{Text(info, "name")} {Text(info, "version")}"
                    : Text(upstream, "credentialsAsked") is var asked and not "-" ? $"asks for credentials ({asked}): the gateway's look carries none"
                    : Text(upstream, "problem") is var problem and not "-" ? $"not reached: {problem}" : "not looked at yet";
                Row(writer, "server", server);
                if (info.ValueKind == JsonValueKind.Object)
                {
                    Row(writer, "revision", $"{Text(upstream, "revision")} (for the newest asked); starts sessions: {Text(upstream, "startsSessions")}");
                }

                var revisions = upstream.GetProperty("revisions").EnumerateArray().Select(r => r.GetString()).ToList();
                Row(writer, "revisions seen", revisions.Count == 0 ? "none yet" : string.Join(", ", revisions));
                Row(writer, "sessions", Text(upstream, "sessions"));
                Row(writer, "ends sessions itself", upstream.GetProperty("endsSessionsItself").GetBoolean() ? "yes (answered 404 for a session the gateway held live)" : "not seen");
                Row(writer, "DELETE", upstream.GetProperty("honoursDelete").ValueKind switch
                {
                    JsonValueKind.True => $"honoured ({Text(upstream, "lastDeleteStatus")})",
                    JsonValueKind.False => "not honoured (405)",
                    _ => "not known yet",
                });
            }
        }
    }

    private static void Row(TextWriter writer, string name, string value) => writer.WriteLine($"    {name,-21} {value}");

    private static string Text(JsonElement element, string property) =>
        !element.TryGetProperty(property, out var value) ? "-" : value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True => "yes",
            JsonValueKind.False => "no",
            _ => "-",
        };
}
