using McpCompat.Probing;

namespace McpCompat;

/// <summary>
/// Whether the installed SDK has one capability, and the evidence the probe found for it.
/// </summary>
public sealed class McpSdkFeature
{
    internal McpSdkFeature(McpSdkFeatureKind kind, bool isPresent, string evidence)
    {
        Kind = kind;
        IsPresent = isPresent;
        Evidence = evidence;
    }

    /// <summary>Gets the capability.</summary>
    public McpSdkFeatureKind Kind { get; }

    /// <summary>Gets a value indicating whether the capability was found with the expected shape.</summary>
    public bool IsPresent { get; }

    /// <summary>Gets what was found (type and member) or what was missing or of the wrong type.</summary>
    public string Evidence { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Kind}: {(IsPresent ? "present" : "absent")} ({Evidence})";
}
