using System.Text.Json;
using ModelContextProtocol.Server;

namespace ConformanceServer;

/// <summary>
/// The json-schema-2020-12 scenario's tool: its input schema is written by hand, with <c>$schema</c>, <c>$defs</c>, a
/// <c>$ref</c> and <c>additionalProperties</c>, which the host must list unchanged.
/// </summary>
internal static class SchemaTool
{
    private const string InputSchema = """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "type": "object",
          "$defs": {
            "address": {
              "type": "object",
              "properties": { "street": { "type": "string" }, "city": { "type": "string" } }
            }
          },
          "properties": {
            "name": { "type": "string" },
            "address": { "$ref": "#/$defs/address" }
          },
          "additionalProperties": false
        }
        """;

    public static McpServerTool Create()
    {
        var tool = McpServerTool.Create(
            (string? name) => $"Hello, {name ?? "nobody"}.",
            new McpServerToolCreateOptions { Name = "json_schema_2020_12_tool", Description = "Tool with JSON Schema 2020-12 features" });
        using var schema = JsonDocument.Parse(InputSchema);
        tool.ProtocolTool.InputSchema = schema.RootElement.Clone();
        return tool;
    }
}
