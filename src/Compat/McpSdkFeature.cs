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

    /// <summary>Gets the capability's name, as the probe tool and <c>eng/matrix.txt</c> write it (for example <c>NativeIdleTimeout</c>).</summary>
    public string Name => Kind.ToString();

    /// <summary>Gets the capability.</summary>
    internal McpSdkFeatureKind Kind { get; }

    /// <summary>Gets a value indicating whether the capability was found with the expected shape.</summary>
    public bool IsPresent { get; }

    /// <summary>Gets what was found (type and member) or what was missing or of the wrong type.</summary>
    public string Evidence { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {(IsPresent ? "present" : "absent")} ({Evidence})";
}
