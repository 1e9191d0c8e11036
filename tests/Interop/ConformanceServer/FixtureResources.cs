using System.ComponentModel;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace ConformanceServer;

/// <summary>The resources and the resource template the suite's resources-* scenarios read and subscribe to.</summary>
[McpServerResourceType]
internal sealed class FixtureResources
{
    [McpServerResource(UriTemplate = "test://static-text", Name = "static-text", MimeType = "text/plain")]
    [Description("A fixed text.")]
    public static ReadResourceResult StaticText() =>
        Contents(new JsonObject
        {
            ["uri"] = "test://static-text",
            ["mimeType"] = "text/plain",
            ["text"] = "This is the content of the static text resource.",
        });

    [McpServerResource(UriTemplate = "test://static-binary", Name = "static-binary", MimeType = "image/png")]
    [Description("A fixed PNG image.")]
    public static ReadResourceResult StaticBinary() =>
        Contents(new JsonObject { ["uri"] = "test://static-binary", ["mimeType"] = "image/png", ["blob"] = Wire.PngBase64 });

    [McpServerResource(UriTemplate = "test://watched-resource", Name = "watched-resource", MimeType = "text/plain")]
    [Description("A text clients may subscribe to.")]
    public static ReadResourceResult Watched() =>
        Contents(new JsonObject { ["uri"] = "test://watched-resource", ["mimeType"] = "text/plain", ["text"] = "Watched." });

    [McpServerResource(UriTemplate = "test://template/{id}/data", Name = "template-data", MimeType = "application/json")]
    [Description("JSON naming the id taken from the URI.")]
    public static ReadResourceResult TemplateData(string id)
    {
        var data = new JsonObject { ["id"] = id, ["templateTest"] = true, ["data"] = $"Data for ID: {id}" };
        return Contents(new JsonObject
        {
            ["uri"] = $"test://template/{id}/data",
            ["mimeType"] = "application/json",
            ["text"] = data.ToJsonString(),
        });
    }

    private static ReadResourceResult Contents(JsonObject contents) =>
        Wire.Read<ReadResourceResult>(new JsonObject { ["contents"] = Wire.Items(contents) });
}
