using System.Globalization;
using System.Net;
using System.Text.Json;
using McpCompat.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace McpCompat.Gateway;

/// <summary>
/// What the gateway knows of its upstreams, as JSON: answered to <c>GET</c> on the gateway's route with
/// <c>Accept: application/vnd.mcpcompat.gateway+json</c> (no MCP request asks for it), from the gateway's own machine
/// only (a loopback address: <c>mcpcompat probe --gateway</c> on the host, or through a port forward); anyone else gets
/// the 404 of a route that has none. It names upstream addresses, which are not the clients' business.
/// </summary>
internal sealed class GatewayReport(GatewayRoutes routes, GatewaySessions sessions, GatewayRecords records, IOptions<McpCompatOptions> options)
{
    /// <summary>The media type a request asks for to get the report.</summary>
    public const string MediaType = "application/vnd.mcpcompat.gateway+json";

    /// <summary>Whether the request asks for the report: a GET accepting <see cref="MediaType"/>.</summary>
    public static bool IsAskedFor(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.Headers.Accept.ToString().Contains(MediaType, StringComparison.OrdinalIgnoreCase);

    /// <summary>Answers the report to a loopback caller, or 404 to any other.</summary>
    public async Task AnswerAsync(HttpContext context, RefusalWriter refusals)
    {
        if (context.Connection.RemoteIpAddress is not { } address || !IPAddress.IsLoopback(address))
        {
            await refusals.RefuseAsync(context, StatusCodes.Status404NotFound, "Not Found").ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = MediaType;
        context.Response.Headers.CacheControl = "no-store";
        var json = new Utf8JsonWriter(context.Response.Body, new JsonWriterOptions { Indented = true });
        await using (json.ConfigureAwait(false))
        {
            Write(json);
            await json.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the report: the gateway's sessions and settings, and per route each upstream's facts.</summary>
    public void Write(Utf8JsonWriter json)
    {
        var settings = options.Value;
        json.WriteStartObject();
        json.WriteString("gateway", "McpCompat Gateway");
        json.WriteString("version", typeof(GatewayReport).Assembly.GetName().Version?.ToString(3));
        json.WriteNumber("sessions", sessions.Count);
        json.WriteNumber("maxSessions", settings.MaxSessions);
        json.WriteString("sessionIdleTimeout", Describe(settings.SessionIdleTimeout ?? McpCompat.Options.McpCompatDefaults.SessionIdleTimeout));
        if (records.Store is { } store)
        {
            json.WriteString("sessionResumeWindow", Describe(store.Window));
            json.WriteString("sessionStore", store.StoreName);
            json.WriteNumber("sessionRecords", store.Index.Count);
        }
        else
        {
            json.WriteNull("sessionResumeWindow");
        }

        json.WriteStartArray("routes");
        foreach (var route in routes.All)
        {
            json.WriteStartObject();
            json.WriteString("pattern", route.Pattern);
            json.WriteStartArray("upstreams");
            foreach (var upstream in route.Upstreams)
            {
                WriteUpstream(json, upstream);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>One line per upstream, for the health check's data and the log.</summary>
    public static string Describe(GatewayUpstream upstream)
    {
        var facts = upstream.Facts;
        var server = facts?.Server ?? (upstream.CredentialsAsked is { } status ? $"asks for credentials ({status}), not looked at"
            : upstream.Problem is { } problem ? $"not reached ({problem})" : "not looked at yet");
        var revisions = upstream.Revisions.Count == 0 ? "none seen" : string.Join(", ", upstream.Revisions);
        var delete = upstream.HonoursDelete switch { true => "honoured", false => "not honoured (405)", null => "not known" };
        return $"{server}; {upstream.Sessions} sessions; revisions: {revisions}; ends sessions itself: {(upstream.ForgotSessions ? "yes" : "not seen")}; DELETE: {delete}";
    }

    private static void WriteUpstream(Utf8JsonWriter json, GatewayUpstream upstream)
    {
        var facts = upstream.Facts;
        json.WriteStartObject();
        json.WriteString("endpoint", upstream.Endpoint.AbsoluteUri);
        json.WriteNumber("sessions", upstream.Sessions);
        if (facts is null)
        {
            json.WriteNull("serverInfo");
        }
        else
        {
            json.WriteStartObject("serverInfo");
            json.WriteString("name", facts.ServerName);
            json.WriteString("version", facts.ServerVersion);
            json.WriteEndObject();
            json.WriteString("revision", facts.Revision);
            json.WriteBoolean("startsSessions", facts.Sessions);
        }

        json.WriteStartArray("revisions");
        foreach (var revision in upstream.Revisions)
        {
            json.WriteStringValue(revision);
        }

        json.WriteEndArray();
        json.WriteBoolean("endsSessionsItself", upstream.ForgotSessions);
        if (upstream.HonoursDelete is { } honours)
        {
            json.WriteBoolean("honoursDelete", honours);
        }
        else
        {
            json.WriteNull("honoursDelete");
        }

        json.WriteNumber("lastDeleteStatus", upstream.LastDeleteStatus);
        if (upstream.CredentialsAsked is { } credentialsAsked)
        {
            json.WriteNumber("credentialsAsked", credentialsAsked);
        }
        else
        {
            json.WriteNull("credentialsAsked");
        }

        json.WriteString("problem", upstream.Problem);
        json.WriteEndObject();
    }

    private static string Describe(TimeSpan span) =>
        span == Timeout.InfiniteTimeSpan ? "infinite" : span.ToString("c", CultureInfo.InvariantCulture);
}
