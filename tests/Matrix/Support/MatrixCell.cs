namespace McpCompat.Tests.Support;

/// <summary>One line of eng/matrix.txt: an SDK build and what the probe must find in it.</summary>
internal sealed record MatrixCell(string Name, string HostVersion, string CoreVersion, string DefaultSessionMode, string[] Features, string[] Advisories)
{
    public static IReadOnlyList<MatrixCell> ReadAll(string file) =>
        File.ReadLines(file)
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(Parse)
            .ToArray();

    public static MatrixCell Find(string file, string hostVersion, string coreVersion) =>
        ReadAll(file).SingleOrDefault(c => c.HostVersion == hostVersion && c.CoreVersion == coreVersion)
        ?? throw new InvalidOperationException(
            $"eng/matrix.txt has no cell for ModelContextProtocol.AspNetCore '{hostVersion}' with ModelContextProtocol '{coreVersion}': add one, or build with the versions of a listed cell.");

    private static MatrixCell Parse(string line)
    {
        var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 6)
        {
            throw new FormatException($"eng/matrix.txt: a cell needs six columns: '{line}'");
        }

        return new(parts[0], parts[1], parts[2], parts[3], List(parts[4]), List(parts[5]));
    }

    private static string[] List(string value) =>
        value == "none" ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal).ToArray();
}
