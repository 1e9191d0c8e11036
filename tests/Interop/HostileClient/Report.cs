using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HostileClient;

/// <summary>
/// The run's output, one JSON object per line on stdout: measurements (<c>"scenario"</c>, <c>"host"</c> and the numbers)
/// and verdicts (<c>"check"</c>: <c>"pass"</c> or <c>"fail"</c>, with a <c>"text"</c> that carries the numbers).
/// </summary>
internal static class Report
{
    private static readonly Lock Gate = new();

    // Texts as they are (× and ' unescaped): the lines are read by people as much as by the script.
    private static readonly JsonSerializerOptions Output = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Line(JsonObject line)
    {
        var text = line.ToJsonString(Output);
        lock (Gate)
        {
            Console.Out.WriteLine(text);
            Console.Out.Flush();
        }
    }

    public static void Check(string scenario, Target target, bool ok, string text) =>
        Line(new JsonObject
        {
            ["check"] = ok ? "pass" : "fail",
            ["scenario"] = scenario,
            ["host"] = target.Label,
            ["text"] = $"{scenario} [{target.Label}]: {text}",
        });

    /// <summary>A tally of statuses for reports, such as <c>{"200": 12, "404": 3}</c>.</summary>
    public static JsonObject Statuses(IEnumerable<int> statuses)
    {
        var tally = new JsonObject();
        foreach (var group in statuses.GroupBy(s => McpWire.StatusText(s)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            tally[group.Key] = group.Count();
        }

        return tally;
    }

    /// <summary>The same tally as text: <c>200×12 404×3</c>.</summary>
    public static string StatusText(IEnumerable<int> statuses) =>
        string.Join(' ', statuses.GroupBy(s => McpWire.StatusText(s)).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}×{g.Count()}"));
}
