using System.Globalization;

namespace HostileClient;

/// <summary>
/// The command line: the scenario's name, then options. Options before the first <c>--target</c> are the scenario's
/// (<c>--trials 20</c>); each <c>--target &lt;label&gt;</c> starts a host under test, and the options after it, up to
/// the next <c>--target</c>, describe it: <c>--endpoint &lt;url&gt;</c> (once per instance: A, then B),
/// <c>--redis &lt;host:port&gt;</c>, <c>--redis-pid &lt;pid&gt;</c>, <c>--evict-after &lt;seconds&gt;</c>,
/// <c>--log &lt;path&gt;</c> (once per instance).
/// </summary>
internal sealed class Settings
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);

    private Settings(string scenario) => Scenario = scenario;

    public string Scenario { get; }

    public List<Target> Targets { get; } = [];

    public static Settings Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            throw new ArgumentException("the first argument names the scenario");
        }

        var settings = new Settings(args[0]);
        Target? target = null;
        for (var i = 1; i < args.Length; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected an option and its value at '{name}'");
            }

            var value = args[++i];
            switch (name)
            {
                case "--target":
                    target = new Target(value);
                    settings.Targets.Add(target);
                    break;
                case "--endpoint" or "--redis" or "--redis-pid" or "--evict-after" or "--log" when target is null:
                    throw new ArgumentException($"{name} belongs to a --target");
                case "--endpoint":
                    target!.Endpoints.Add(new Uri(value));
                    break;
                case "--redis":
                    target!.Redis = value;
                    break;
                case "--redis-pid":
                    target!.RedisPid = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--evict-after":
                    target!.EvictAfter = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture));
                    break;
                case "--log":
                    target!.Logs.Add(value);
                    break;
                default:
                    settings._options[name[2..]] = value;
                    break;
            }
        }

        if (settings.Targets.Count == 0 || settings.Targets.Any(t => t.Endpoints.Count == 0))
        {
            throw new ArgumentException("give at least one --target with an --endpoint");
        }

        return settings;
    }

    public int Int(string name, int fallback) =>
        _options.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) =>
        _options.TryGetValue(name, out var value) ? double.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public string String(string name, string fallback) => _options.TryGetValue(name, out var value) ? value : fallback;
}
