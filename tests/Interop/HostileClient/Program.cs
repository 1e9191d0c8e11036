using HostileClient;
using HostileClient.Scenarios;

// The hostile client of eng/abuse.sh: plays a client that deletes sessions while its own calls are in flight, races a
// fleet, deletes while the store stalls or after it restarts, floods handshakes, fills the store, and deletes ids it
// made up; reports what the servers did as JSON lines, each check as a line with "check": "pass" or "fail".
// Usage: dotnet HostileClient.dll <scenario> [--option value]... --target <label> --endpoint <url> [--endpoint <url>]
//          [--redis <host:port>] [--redis-pid <pid>] [--evict-after <seconds>] [--log <path>]... [--target ...]
// Every target runs the scenario at the same time. The scenarios and their options are in Scenarios/. Exits 0 when every
// check passed, 1 when one failed, 2 on a usage error or a run that could not be carried out.
Settings settings;
try
{
    settings = Settings.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"hostile client: {ex.Message}");
    Console.Error.WriteLine($"scenarios: {string.Join(", ", Scenario.All.Keys)}");
    return 2;
}

if (!Scenario.All.TryGetValue(settings.Scenario, out var scenario))
{
    Console.Error.WriteLine($"hostile client: no scenario '{settings.Scenario}'; scenarios: {string.Join(", ", Scenario.All.Keys)}");
    return 2;
}

using var wire = new McpWire(TimeSpan.FromSeconds(settings.Double("request-limit", 20)));
var results = await Task.WhenAll(settings.Targets.Select(async target =>
{
    try
    {
        return await scenario(settings, wire, target);
    }
    catch (Exception ex)
    {
        Report.Check(settings.Scenario, target, false, $"the scenario could not be carried out: {ex.GetType().Name}: {ex.Message}");
        return false;
    }
}));
return results.All(ok => ok) ? 0 : 1;
