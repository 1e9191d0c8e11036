namespace McpCompat;

/// <summary>
/// A known defect or behaviour of a range of SDK versions that affects idle-session handling.
/// </summary>
public sealed class McpSdkAdvisory
{
    internal McpSdkAdvisory(string id, string package, string affectedVersions, string summary, bool disqualifiesNativeIdleTimeout, bool onlyWhenStateless)
    {
        OnlyWhenStateless = onlyWhenStateless;
        Id = id;
        Package = package;
        AffectedVersions = affectedVersions;
        Summary = summary;
        DisqualifiesNativeIdleTimeout = disqualifiesNativeIdleTimeout;
    }

    /// <summary>Gets the advisory's stable identifier, for example <c>MCPCOMPAT001</c>.</summary>
    public string Id { get; }

    /// <summary>Gets the package the advisory is about.</summary>
    public string Package { get; }

    /// <summary>Gets the affected versions as a NuGet version range, for example <c>[0.1.0-preview.10, 0.6.0-preview.1)</c>.</summary>
    public string AffectedVersions { get; }

    /// <summary>Gets what goes wrong and what McpCompat does about it.</summary>
    public string Summary { get; }

    /// <summary>Gets a value indicating whether the SDK's own idle timeout must not be relied on in the affected versions.</summary>
    public bool DisqualifiesNativeIdleTimeout { get; }

    /// <summary>Gets a value indicating whether the advisory concerns only servers that run stateless (the SDK's default session mode).</summary>
    internal bool OnlyWhenStateless { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Id} {Package} {AffectedVersions}: {Summary}";
}
