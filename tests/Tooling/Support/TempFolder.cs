namespace McpCompat.Tooling.Tests.Support;

/// <summary>A temporary folder that deletes itself.</summary>
internal sealed class TempFolder(string path) : IDisposable
{
    public string Path { get; } = Directory.CreateDirectory(path).FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temporary folder.
        }
    }
}
