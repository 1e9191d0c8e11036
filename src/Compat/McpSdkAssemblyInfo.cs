namespace McpCompat;

/// <summary>
/// One assembly of the MCP C# SDK found in the running application.
/// </summary>
public sealed class McpSdkAssemblyInfo
{
    internal McpSdkAssemblyInfo(string name, NuGet.Versioning.NuGetVersion? version, string versionSource)
    {
        Name = name;
        NuGetVersion = version;
        VersionSource = versionSource;
    }

    /// <summary>Gets the assembly (and package) name, for example <c>ModelContextProtocol.AspNetCore</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the package version, without build metadata, or <see langword="null"/> when it could not be read.</summary>
    public string? Version => NuGetVersion?.ToNormalizedString();

    /// <summary>Gets where the version was read from (the informational version attribute, or why it is unknown).</summary>
    public string VersionSource { get; }

    internal NuGet.Versioning.NuGetVersion? NuGetVersion { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} {Version ?? "(version unknown)"}";
}
