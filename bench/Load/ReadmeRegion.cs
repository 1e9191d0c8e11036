namespace Load;

/// <summary>The region of README.md that eng/perf.sh writes: everything between two marker comments.</summary>
internal static class ReadmeRegion
{
    public const string Begin = "<!-- perf:summary:begin -->";
    public const string End = "<!-- perf:summary:end -->";

    /// <summary>Replaces what lies between the markers with <paramref name="content"/>; the file must hold both, in order.</summary>
    public static async Task ReplaceAsync(string path, string content)
    {
        var text = await File.ReadAllTextAsync(path);
        var begin = text.IndexOf(Begin, StringComparison.Ordinal);
        var end = text.IndexOf(End, StringComparison.Ordinal);
        if (begin < 0 || end < begin)
        {
            throw new InvalidDataException($"{path} has no region between '{Begin}' and '{End}' to write the measured summary into.");
        }

        var start = begin + Begin.Length;
        await File.WriteAllTextAsync(path, $"{text[..start]}\n{content.Trim()}\n{text[end..]}");
    }
}
