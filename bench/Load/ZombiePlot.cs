using System.Globalization;
using System.Net;
using System.Text;

namespace Load;

/// <summary>
/// Draws the zombie churn as an SVG: live sessions over time (left axis) and the process's RSS (right axis, dashed),
/// one colour per run, with a legend.
/// </summary>
internal static class ZombiePlot
{
    private const int Width = 860;
    private const int Height = 440;
    private const int Left = 70;
    private const int Right = 250;
    private const int Top = 40;
    private const int Bottom = 50;

    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Render(IReadOnlyList<ZombieResult> runs)
    {
        var maxSeconds = Math.Max(1, runs.SelectMany(r => r.Samples).Max(s => s.Seconds));
        var maxLive = Math.Max(10, runs.SelectMany(r => r.Samples).Max(s => s.LiveSessions));
        var liveTop = Ceiling(maxLive);
        var maxMib = Math.Max(1, runs.SelectMany(r => r.Samples).Max(s => Mib(s.RssBytes)));
        var mibTop = Ceiling(maxMib);
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        double X(double seconds) => Left + seconds / maxSeconds * plotWidth;
        double YLive(double live) => Top + plotHeight - live / liveTop * plotHeight;
        double YMib(double mib) => Top + plotHeight - mib / mibTop * plotHeight;

        var svg = new StringBuilder();
        svg.AppendLine(Invariant, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{Height}" viewBox="0 0 {Width} {Height}" font-family="sans-serif" font-size="12">""");
        svg.AppendLine(Invariant, $"""  <rect width="{Width}" height="{Height}" fill="white"/>""");
        svg.AppendLine(Invariant, $"""  <text x="{Left}" y="22" font-size="14">Zombie churn on the SDK's host: live sessions (solid) and RSS (dashed) over time</text>""");

        for (var i = 0; i <= 5; i++)
        {
            var y = Top + plotHeight - (i / 5.0 * plotHeight);
            svg.AppendLine(Invariant, $"""  <line x1="{Left}" y1="{y:0.0}" x2="{Left + plotWidth}" y2="{y:0.0}" stroke="#e5e5e5"/>""");
            svg.AppendLine(Invariant, $"""  <text x="{Left - 6}" y="{y + 4:0.0}" text-anchor="end">{liveTop * i / 5:0}</text>""");
            svg.AppendLine(Invariant, $"""  <text x="{Left + plotWidth + 6}" y="{y + 4:0.0}" fill="#555">{mibTop * i / 5:0}</text>""");
        }

        var step = Math.Max(60, Math.Ceiling(maxSeconds / 10 / 60) * 60);
        for (var seconds = 0.0; seconds <= maxSeconds + 1e-9; seconds += step)
        {
            var x = X(seconds);
            svg.AppendLine(Invariant, $"""  <line x1="{x:0.0}" y1="{Top}" x2="{x:0.0}" y2="{Top + plotHeight}" stroke="#f0f0f0"/>""");
            svg.AppendLine(Invariant, $"""  <text x="{x:0.0}" y="{Top + plotHeight + 18}" text-anchor="middle">{seconds:0}</text>""");
        }

        svg.AppendLine(Invariant, $"""  <line x1="{Left}" y1="{Top + plotHeight}" x2="{Left + plotWidth}" y2="{Top + plotHeight}" stroke="black"/>""");
        svg.AppendLine(Invariant, $"""  <line x1="{Left}" y1="{Top}" x2="{Left}" y2="{Top + plotHeight}" stroke="black"/>""");
        svg.AppendLine(Invariant, $"""  <text x="{Left + plotWidth / 2}" y="{Height - 12}" text-anchor="middle">seconds since the first zombie</text>""");
        svg.AppendLine(Invariant, $"""  <text x="18" y="{Top + plotHeight / 2}" text-anchor="middle" transform="rotate(-90 18 {Top + plotHeight / 2})">live sessions</text>""");
        svg.AppendLine(Invariant, $"""  <text x="{Left + plotWidth + 40}" y="{Top + plotHeight / 2}" text-anchor="middle" fill="#555" transform="rotate(90 {Left + plotWidth + 40} {Top + plotHeight / 2})">RSS, MiB</text>""");

        for (var i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            var color = Colors[i % Colors.Length];
            var live = string.Join(" ", run.Samples.Select(s => string.Create(Invariant, $"{X(s.Seconds):0.0},{YLive(s.LiveSessions):0.0}")));
            var rss = string.Join(" ", run.Samples.Select(s => string.Create(Invariant, $"{X(s.Seconds):0.0},{YMib(Mib(s.RssBytes)):0.0}")));
            svg.AppendLine(Invariant, $"""  <polyline fill="none" stroke="{color}" stroke-width="2" points="{live}"/>""");
            svg.AppendLine(Invariant, $"""  <polyline fill="none" stroke="{color}" stroke-width="1" stroke-dasharray="4 4" points="{rss}"/>""");

            var legendY = Top + 10 + (i * 54);
            var legendX = Left + plotWidth + 60;
            svg.AppendLine(Invariant, $"""  <line x1="{legendX}" y1="{legendY}" x2="{legendX + 24}" y2="{legendY}" stroke="{color}" stroke-width="2"/>""");
            svg.AppendLine(Invariant, $"""  <text x="{legendX + 30}" y="{legendY + 4}">{WebUtility.HtmlEncode(Title(run))}</text>""");
            svg.AppendLine(Invariant, $"""  <text x="{legendX + 30}" y="{legendY + 20}" fill="#555">{run.LiveAtEnd:N0} of {run.Opened:N0} live at the end</text>""");
            svg.AppendLine(Invariant, $"""  <text x="{legendX + 30}" y="{legendY + 36}" fill="#555">RSS {Mib(run.RssStartBytes):0} → {Mib(run.RssEndBytes):0} MiB</text>""");
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string Title(ZombieResult run) => run.KeepAlive == "off" ? "keep-alives off" : $"keep-alives every {run.KeepAlive}";

    private static double Ceiling(double value)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var factor in new[] { 1, 2, 2.5, 5, 10 })
        {
            if (magnitude * factor >= value)
            {
                return magnitude * factor;
            }
        }

        return magnitude * 10;
    }

    private static double Mib(long bytes) => bytes / 1024.0 / 1024.0;
}
