namespace McpCompat.Decision;

/// <summary>The one mapping of <see cref="McpCompatPath"/> to the names logs, metrics, the health check and the CLI show.</summary>
internal static class McpCompatPathNames
{
    public static string ToName(this McpCompatPath path) => path switch
    {
        McpCompatPath.Native => "native",
        McpCompatPath.Fallback => "fallback",
        McpCompatPath.Stateless => "stateless",
        McpCompatPath.Hosted => "hosted",
        McpCompatPath.NoHttpHost => "no_http_host",
        _ => throw new ArgumentOutOfRangeException(nameof(path), path, "Not a McpCompatPath."),
    };
}
