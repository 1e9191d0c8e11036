using System.Text.Json.Serialization;

namespace McpCompat.Cli;

/// <summary>The JSON shape of <c>mcpcompat probe --json</c>: camelCase names, indented, nulls written.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ProbeOutput))]
internal sealed partial class ProbeJsonContext : JsonSerializerContext;
