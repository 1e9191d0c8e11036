namespace McpCompat.GatewayLoad;

/// <summary>"--name value" pairs; a name may repeat.</summary>
internal sealed class Arguments(ILookup<string, string> values)
{
    public static Arguments Parse(string[] args)
    {
        var pairs = new List<(string, string)>();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            pairs.Add((args[i].TrimStart('-'), args[i + 1]));
        }

        return new Arguments(pairs.ToLookup(p => p.Item1, p => p.Item2));
    }

    public string Get(string name) => values[name].LastOrDefault() ?? throw new ArgumentException($"--{name} is required");

    public string Get(string name, string fallback) => values[name].LastOrDefault() ?? fallback;

    public int Get(string name, int fallback) => values[name].LastOrDefault() is { } v ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    /// <summary>The "key=value" entries of a repeated option, in order.</summary>
    public List<(string Key, string Value)> Pairs(string name) =>
        [.. values[name].Select(v => v.Split('=', 2)).Select(p => (p[0], p[1]))];
}
