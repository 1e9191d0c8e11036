namespace McpCompat.Tests.Support;

/// <summary>
/// Marks a test class that touches no SDK type: McpCompat's kernels alone (the tracker, the sweeper, the keep-alive
/// stream, the record format, the public API text). eng/test.sh runs such classes in the run's first cell only
/// (<c>--filter Sdk!=Independent</c> in the others): every cell would run the same code the same way.
/// </summary>
internal static class SdkIndependent
{
    public const string Trait = "Sdk";

    public const string Value = "Independent";
}
