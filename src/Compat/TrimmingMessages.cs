namespace McpCompat;

/// <summary>What McpCompat's trimming and AOT attributes say: why it needs reflection and code generation.</summary>
internal static class TrimmingMessages
{
    /// <summary>For code that looks the SDK's types and members up by name.</summary>
    public const string FindsSdkMembers =
        "McpCompat finds the MCP C# SDK's types and members by reflection at run time, because they differ between SDK versions: trimming may remove them.";

    /// <summary>For code that builds generic instantiations and compiled accessors over SDK types found at run time.</summary>
    public const string BuildsCodeForSdkTypes =
        "McpCompat closes generic types and methods over MCP C# SDK types found at run time and compiles accessors to their members: native AOT may lack that code.";
}
