using System.Text.Json.Serialization.Metadata;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace McpCompat.Http;

/// <summary>The SDK's JSON type info for what McpCompat reads and writes of its messages, looked up once, on first use.</summary>
internal static class McpJsonTypes
{
    /// <summary>A JSON-RPC message, as the SDK reads and writes it.</summary>
    public static readonly JsonTypeInfo<JsonRpcMessage> Message =
        (JsonTypeInfo<JsonRpcMessage>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage));

    /// <summary>The <c>params</c> of an <c>initialize</c> request, as the SDK reads them.</summary>
    public static readonly JsonTypeInfo<InitializeRequestParams> InitializeParams =
        (JsonTypeInfo<InitializeRequestParams>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(InitializeRequestParams));
}
