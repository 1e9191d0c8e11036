namespace McpCompat.Http;

/// <summary>Marks the endpoints <c>MapMcpCompat</c> maps, so the fallback middleware leaves their sessions alone.</summary>
internal sealed class McpCompatEndpointMetadata
{
    public static McpCompatEndpointMetadata Instance { get; } = new();
}
