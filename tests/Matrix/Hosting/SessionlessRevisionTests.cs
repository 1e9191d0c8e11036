using System.Net.Http.Headers;
using System.Net;
using System.Text.Json.Nodes;
using System.Text;
using McpCompat.Probing;
using McpCompat.Tests.Support;

namespace McpCompat.Tests.Hosting;

/// <summary>
/// The protocol revision without sessions (2026-07-28) on MapMcpCompat. Where the SDK in use has it, a request naming it
/// is served on its own, as the SDK's host serves it: checked against its envelope and headers, answered, nothing kept.
/// Where the SDK lacks it, it is refused with -32022 and the SDK's own revisions, so a client that speaks several falls
/// back to the handshake.
/// </summary>
[Collection(HostingTestTools.Collection)]
public sealed class SessionlessRevisionTests
{
    private const string Revision = "2026-07-28";

    private static bool SdkHasRevision => McpSdkProbe.Current.GetFeature(McpSdkFeatureKind.SessionlessRevision).IsPresent;

    [Fact]
    public async Task ToolCall_OfTheRevision_AnsweredWithoutSessionAndNothingKept_OrRefusedWithTheSdksRevisions()
    {
        await using var host = await CompatTestHost.StartAsync();

        using var response = await PostAsync(host, Request("tools/call", new JsonObject { ["name"] = "echo", ["arguments"] = new JsonObject { ["message"] = "hi" } }), name: "echo");
        var body = await response.Content.ReadAsStringAsync();
        if (!SdkHasRevision)
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var error = JsonNode.Parse(body)?["error"];
            Assert.Equal(-32022, (int?)error?["code"]);
            Assert.Equal(Revision, (string?)error?["data"]?["requested"]);
            var supported = error?["data"]?["supported"]?.AsArray().Select(v => (string)v!).ToArray();
            Assert.Equal(McpSdkProbe.Current.Members.ProtocolVersions, supported);
            Assert.DoesNotContain(Revision, supported!);
            return;
        }

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.False(response.Headers.Contains("Mcp-Session-Id"));
        Assert.Equal("hi", (string?)RawMcpClient.ReadMessage(body)?["result"]?["content"]?[0]?["text"]);
        Assert.Equal(0, host.Store.Count);
        Assert.Equal(0, host.Tracker.Count);
        host.Logs.AssertNothingUnhandled();
    }

    [Fact]
    public async Task InitializeClients_KeepGettingSessions_BesideTheRevision()
    {
        await using var host = await CompatTestHost.StartAsync();
        var id = await host.Client.InitializeAsync();

        using var sessionless = await PostAsync(host, Request("tools/list"));
        Assert.Equal(SdkHasRevision ? HttpStatusCode.OK : HttpStatusCode.BadRequest, sessionless.StatusCode);

        Assert.Equal(HttpStatusCode.OK, await host.Client.PingAsync(id));
        Assert.Equal(1, host.Store.Count);
    }

    public static TheoryData<string, string, int, int> Refusals => new()
    {
        // case, what is wrong, HTTP status, JSON-RPC code: the SDK host's answers.
        { "no-meta-version", "_meta lacks the protocol version", 400, -32602 },
        { "meta-mismatch", "_meta names another revision", 400, -32020 },
        { "no-method-header", "Mcp-Method missing", 400, -32020 },
        { "method-mismatch", "Mcp-Method names another method", 400, -32020 },
        { "no-name-header", "Mcp-Name missing on tools/call", 400, -32020 },
        { "name-mismatch", "Mcp-Name names another tool", 400, -32020 },
        { "no-capabilities", "_meta lacks the client capabilities", 400, -32602 },
        { "initialize", "initialize was removed", 404, -32601 },
        { "ping", "ping was removed", 404, -32601 },
        { "unknown-method", "the server has no such method", 404, -32601 },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task BadRequest_OfTheRevision_RefusedAsTheSdkHostRefusesIt(string @case, string why, int status, int code)
    {
        await using var host = await CompatTestHost.StartAsync();
        var call = Request("tools/call", new JsonObject { ["name"] = "echo", ["arguments"] = new JsonObject { ["message"] = "hi" } });
        string? method = null;
        var name = "echo";
        switch (@case)
        {
            case "no-meta-version": Meta(call).Remove("io.modelcontextprotocol/protocolVersion"); break;
            case "meta-mismatch": Meta(call)["io.modelcontextprotocol/protocolVersion"] = "2099-01-01"; break;
            case "no-method-header": method = string.Empty; break;
            case "method-mismatch": method = "tools/list"; break;
            case "no-name-header": name = string.Empty; break;
            case "name-mismatch": name = "fail"; break;
            case "no-capabilities": Meta(call).Remove("io.modelcontextprotocol/clientCapabilities"); break;
            case "initialize": call = Request("initialize", new JsonObject { ["protocolVersion"] = Revision, ["capabilities"] = new JsonObject(), ["clientInfo"] = new JsonObject { ["name"] = "t", ["version"] = "1" } }); name = string.Empty; break;
            case "ping": call = Request("ping"); name = string.Empty; break;
            case "unknown-method": call = Request("no/such/method"); name = string.Empty; break;
        }

        using var response = await PostAsync(host, call, name, method);
        var body = await response.Content.ReadAsStringAsync();
        if (!SdkHasRevision && @case == "initialize")
        {
            // A handshake negotiates in its body, whatever its header names: the SDK answers with a revision it has.
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            Assert.Contains((string?)RawMcpClient.ReadMessage(body)?["result"]?["protocolVersion"], McpSdkProbe.Current.Members.ProtocolVersions!);
            return;
        }

        if (!SdkHasRevision)
        {
            Assert.Equal(-32022, (int?)JsonNode.Parse(body)?["error"]?["code"]);
            return;
        }

        Assert.True((int)response.StatusCode == status, $"{why}: {(int)response.StatusCode} {body}");
        var message = RawMcpClient.ReadMessage(body);
        Assert.True((int?)message?["error"]?["code"] == code, $"{why}: {body}");
        Assert.Equal(1, (int?)message?["id"]);
        Assert.Equal(0, host.Store.Count);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("DELETE")]
    public async Task GetOrDelete_OfTheRevision_405AllowPost(string verb)
    {
        await using var host = await CompatTestHost.StartAsync();
        using var request = new HttpRequestMessage(new HttpMethod(verb), host.Endpoint);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Add("MCP-Protocol-Version", Revision);
        using var response = await host.Http.SendAsync(request);

        if (!SdkHasRevision)
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return;
        }

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("POST", string.Join(',', response.Content.Headers.Allow));
    }

    private static JsonObject Request(string method, JsonObject? parameters = null)
    {
        parameters ??= new JsonObject();
        parameters["_meta"] = new JsonObject
        {
            ["io.modelcontextprotocol/protocolVersion"] = Revision,
            ["io.modelcontextprotocol/clientCapabilities"] = new JsonObject(),
        };
        return new JsonObject { ["jsonrpc"] = "2.0", ["id"] = 1, ["method"] = method, ["params"] = parameters };
    }

    private static JsonObject Meta(JsonObject request) => request["params"]!["_meta"]!.AsObject();

    /// <summary>POSTs a request of the revision with its headers: <c>Mcp-Method</c> from the body unless given ("" for none), <c>Mcp-Name</c> when given.</summary>
    private static Task<HttpResponseMessage> PostAsync(CompatTestHost host, JsonObject body, string name = "", string? method = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, host.Endpoint) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Add("MCP-Protocol-Version", Revision);
        method ??= (string?)body["method"];
        if (method is { Length: > 0 })
        {
            request.Headers.Add("Mcp-Method", method);
        }

        if (name.Length > 0)
        {
            request.Headers.Add("Mcp-Name", name);
        }

        return host.Http.SendAsync(request);
    }
}
