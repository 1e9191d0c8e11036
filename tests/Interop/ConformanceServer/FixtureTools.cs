using System.ComponentModel;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace ConformanceServer;

/// <summary>The tools the suite's tools-*, elicitation-* and server-sse-polling scenarios call, by the names they use.</summary>
[McpServerToolType]
internal sealed class FixtureTools
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(50);

    [McpServerTool(Name = "test_simple_text")]
    [Description("Answers with one text item.")]
    public static ToolResult SimpleText() => Wire.Result(Wire.Text("This is a simple text response for testing."));

    [McpServerTool(Name = "test_image_content")]
    [Description("Answers with one PNG image.")]
    public static ToolResult ImageContent() => Wire.Result(Wire.Image());

    [McpServerTool(Name = "test_audio_content")]
    [Description("Answers with one WAV clip.")]
    public static ToolResult AudioContent() => Wire.Result(Wire.Audio());

    [McpServerTool(Name = "test_embedded_resource")]
    [Description("Answers with one embedded text resource.")]
    public static ToolResult EmbeddedResource() =>
        Wire.Result(Wire.Resource("test://embedded-resource", "text/plain", "This is an embedded resource content."));

    [McpServerTool(Name = "test_multiple_content_types")]
    [Description("Answers with a text, an image and an embedded JSON resource.")]
    public static ToolResult MultipleContentTypes() => Wire.Result(
        Wire.Text("Multiple content types test:"),
        Wire.Image(),
        Wire.Resource("test://mixed-content-resource", "application/json", """{"test":"data","value":123}"""));

    [McpServerTool(Name = "test_error_handling")]
    [Description("Always fails: answers with isError set.")]
    public static ToolResult ErrorHandling() => Wire.Error("This tool intentionally returns an error for testing");

    [McpServerTool(Name = "test_tool_with_logging")]
    [Description("Sends three info log messages, 50 ms apart, while it runs.")]
    public static async Task<ToolResult> ToolWithLogging(SessionServer server, CancellationToken cancellationToken)
    {
        string[] messages = ["Tool execution started", "Tool processing data", "Tool execution completed"];
        for (var i = 0; i < messages.Length; i++)
        {
            if (i > 0)
            {
                await Task.Delay(Step, cancellationToken);
            }

            // The level the client set, if any, filters what it is sent.
            if (server.LoggingLevel is not { } level || level <= LoggingLevel.Info)
            {
                var message = new JsonObject { ["level"] = "info", ["logger"] = "conformance-fixture", ["data"] = messages[i] };
                await Wire.NotifyClientAsync(server, "notifications/message", message, cancellationToken);
            }
        }

        return Wire.Result(Wire.Text("Logged three messages."));
    }

    [McpServerTool(Name = "test_tool_with_progress")]
    [Description("Reports progress 0, 50 and 100 of 100, 50 ms apart, when the call carries a progress token.")]
    public static async Task<ToolResult> ToolWithProgress(IProgress<ProgressNotificationValue> progress, CancellationToken cancellationToken)
    {
        // Without a progress token the SDK hands the tool a progress that sends nothing.
        for (var done = 0; done <= 100; done += 50)
        {
            if (done > 0)
            {
                await Task.Delay(Step, cancellationToken);
            }

            progress.Report(new ProgressNotificationValue { Progress = done, Total = 100 });
        }

        return Wire.Result(Wire.Text("Progress reported."));
    }

    [McpServerTool(Name = "test_sampling")]
    [Description("Asks the client's model to answer the prompt (sampling/createMessage) and returns its answer.")]
    public static async Task<ToolResult> Sampling(
        SessionServer server,
        [Description("The prompt to send to the client's model.")] string prompt,
        CancellationToken cancellationToken)
    {
        var request = new JsonObject
        {
            ["messages"] = Wire.Items(new JsonObject { ["role"] = "user", ["content"] = Wire.Text(prompt) }),
            ["maxTokens"] = 100,
        };
        var result = await Wire.AskClientAsync(server, "sampling/createMessage", request, cancellationToken);
        var answer = result?["content"] is JsonObject { } content && content["text"] is { } text ? text.ToString() : result?.ToJsonString();
        return Wire.Result(Wire.Text($"LLM response: {answer}"));
    }

    [McpServerTool(Name = "test_elicitation")]
    [Description("Asks the user for a user name and an e-mail address (elicitation/create) and returns the answer.")]
    public static Task<ToolResult> Elicitation(
        SessionServer server,
        [Description("The message shown to the user.")] string message,
        CancellationToken cancellationToken)
    {
        var schema = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["username"] = new JsonObject { ["type"] = "string", ["description"] = "User's response" },
                ["email"] = new JsonObject { ["type"] = "string", ["description"] = "User's email address" },
            },
            ["required"] = Wire.Items("username", "email"),
        };
        return ElicitAsync(server, message, schema, "User response", cancellationToken);
    }

    [McpServerTool(Name = "test_elicitation_sep1034_defaults")]
    [Description("Asks the user for five fields, each of a primitive type with a default (SEP-1034).")]
    public static Task<ToolResult> ElicitationDefaults(SessionServer server, CancellationToken cancellationToken)
    {
        var schema = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["name"] = new JsonObject { ["type"] = "string", ["description"] = "User name", ["default"] = "John Doe" },
                ["age"] = new JsonObject { ["type"] = "integer", ["description"] = "User age", ["default"] = 30 },
                ["score"] = new JsonObject { ["type"] = "number", ["description"] = "User score", ["default"] = 95.5 },
                ["status"] = new JsonObject
                {
                    ["type"] = "string",
                    ["description"] = "User status",
                    ["enum"] = Wire.Items("active", "inactive", "pending"),
                    ["default"] = "active",
                },
                ["verified"] = new JsonObject { ["type"] = "boolean", ["description"] = "Verification status", ["default"] = true },
            },
        };
        return ElicitAsync(server, "Accept to take the defaults.", schema, "Elicitation completed", cancellationToken);
    }

    [McpServerTool(Name = "test_elicitation_sep1330_enums")]
    [Description("Asks the user to choose from the five enum shapes of SEP-1330.")]
    public static Task<ToolResult> ElicitationEnums(SessionServer server, CancellationToken cancellationToken)
    {
        var schema = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["untitledSingle"] = new JsonObject { ["type"] = "string", ["enum"] = Wire.Items("option1", "option2", "option3") },
                ["titledSingle"] = new JsonObject
                {
                    ["type"] = "string",
                    ["oneOf"] = Titled(("value1", "First Option"), ("value2", "Second Option"), ("value3", "Third Option")),
                },
                ["legacyEnum"] = new JsonObject
                {
                    ["type"] = "string",
                    ["enum"] = Wire.Items("opt1", "opt2", "opt3"),
                    ["enumNames"] = Wire.Items("Option One", "Option Two", "Option Three"),
                },
                ["untitledMulti"] = new JsonObject
                {
                    ["type"] = "array",
                    ["items"] = new JsonObject { ["type"] = "string", ["enum"] = Wire.Items("option1", "option2", "option3") },
                },
                ["titledMulti"] = new JsonObject
                {
                    ["type"] = "array",
                    ["items"] = new JsonObject
                    {
                        ["anyOf"] = Titled(("value1", "First Choice"), ("value2", "Second Choice"), ("value3", "Third Choice")),
                    },
                },
            },
        };
        return ElicitAsync(server, "Choose from each list.", schema, "Elicitation completed", cancellationToken);
    }

#if MCPSDK_1_0_OR_GREATER
    [McpServerTool(Name = "test_reconnection")]
    [Description("Ends its SSE stream before it answers; the client gets the answer by reconnecting with Last-Event-ID.")]
    public static async Task<ToolResult> Reconnection(RequestContext<CallToolRequestParams> context, CancellationToken cancellationToken)
    {
        try
        {
            // Stores what follows in the event stream store and ends the response stream, telling the client to come
            // back after 500 ms.
            await context.EnablePollingAsync(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            return Wire.Error($"Polling is not available here: {ex.Message}");
        }

        // The answer goes to the store only; answering at once leaves it there before the client's GET comes back for it.
        return Wire.Result(Wire.Text("Answered after the stream was closed."));
    }
#endif

    private static async Task<ToolResult> ElicitAsync(
        SessionServer server, string message, JsonObject schema, string label, CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["message"] = message, ["requestedSchema"] = schema };
        var result = await Wire.AskClientAsync(server, "elicitation/create", request, cancellationToken);
        return Wire.Result(Wire.Text($"{label}: action={result?["action"]}, content={result?["content"]?.ToJsonString() ?? "{}"}"));
    }

    private static JsonArray Titled(params (string Value, string Title)[] options) =>
        Wire.Items([.. options.Select(option => (JsonNode)new JsonObject { ["const"] = option.Value, ["title"] = option.Title })]);
}
