using System.ComponentModel;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace ConformanceServer;

/// <summary>The prompts the suite's prompts-* and completion-complete scenarios ask for.</summary>
[McpServerPromptType]
internal sealed class FixturePrompts
{
    [McpServerPrompt(Name = "test_simple_prompt")]
    [Description("One user message, no arguments.")]
    public static GetPromptResult Simple() => Messages(Wire.Text("This is a simple prompt for testing."));

    [McpServerPrompt(Name = "test_prompt_with_arguments")]
    [Description("One user message naming both arguments.")]
    public static GetPromptResult WithArguments(
        [Description("First test argument")] string arg1,
        [Description("Second test argument")] string arg2) =>
        Messages(Wire.Text($"Prompt with arguments: arg1='{arg1}', arg2='{arg2}'"));

    [McpServerPrompt(Name = "test_prompt_with_embedded_resource")]
    [Description("A user message embedding a text resource at the given URI, then one asking to process it.")]
    public static GetPromptResult WithEmbeddedResource([Description("URI of the resource to embed")] string resourceUri) =>
        Messages(
            Wire.Resource(resourceUri, "text/plain", "Embedded resource content for testing."),
            Wire.Text("Please process the embedded resource above."));

    [McpServerPrompt(Name = "test_prompt_with_image")]
    [Description("A user message holding a PNG image, then one asking to analyze it.")]
    public static GetPromptResult WithImage() => Messages(Wire.Image(), Wire.Text("Please analyze the image above."));

    private static GetPromptResult Messages(params JsonObject[] contents) =>
        Wire.Read<GetPromptResult>(new JsonObject
        {
            ["messages"] = Wire.Items([.. contents.Select(content => (JsonNode)new JsonObject { ["role"] = "user", ["content"] = content })]),
        });
}
