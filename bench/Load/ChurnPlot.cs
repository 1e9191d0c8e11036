using System.Globalization;
using System.Net;
using System.Text;

namespace Load;

/// <summary>
/// Draws the churn soak's managed heap over time as an SVG: one polyline per run, a logarithmic MiB axis (so the run
/// that stays near its baseline and the one that grows without bound are both readable), the baseline marked, a legend.
/// </summary>
internal static class ChurnPlot
{
    private const int Width = 860;
    private const int Height = 440;
    private const int Left = 70;
    private const int Right = 250;
    private const int Top = 40;
    private const int Bottom = 50;

    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Render(IReadOnlyList<SoakResult> runs)
    {
        var maxSeconds = Math.Max(1, runs.SelectMany(r => r.Samples).Max(s => s.Seconds));
        var allMib = runs.SelectMany(r => r.Samples.Select(s => Mib(s.ManagedBytes)).Append(Mib(r.BaselineBytes))).ToList();
        var lowDecade = Math.Floor(Math.Log10(Math.Max(0.1, allMib.Min())));
        var highDecade = Math.Ceiling(Math.Log10(Math.Max(1, allMib.Max())));
        if (highDecade <= lowDecade)
        {
            highDecade = lowDecade + 1;
        }

        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        double X(double seconds) => Left + seconds / maxSeconds * plotWidth;
        double Y(double mib) => Top + plotHeight - (Math.Log10(Math.Max(mib, 1e-3)) - lowDecade) / (highDecade - lowDecade) * plotHeight;

        var svg = new StringBuilder();
        svg.AppendLine(Invariant, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{Height}" viewBox="0 0 {Width} {Height}" font-family="sans-serif" font-size="12">""");
        svg.AppendLine(Invariant, $"""  <rect width="{Width}" height="{Height}" fill="white"/>""");
        svg.AppendLine(Invariant, $"""  <text x="{Left}" y="22" font-size="14">Churn soak: managed heap after a forced full GC (MiB, log scale) over time</text>""");

        // Y axis: decades and the 2× and 5× lines between them.
        for (var decade = lowDecade; decade <= highDecade; decade++)
        {
            foreach (var factor in new[] { 1, 2, 5 })
            {
                var mib = Math.Pow(10, decade) * factor;
                if (Math.Log10(mib) > highDecade + 1e-9)
                {
                    continue;
                }

                var y = Y(mib);
                svg.AppendLine(Invariant, $"""  <line x1="{Left}" y1="{y:0.0}" x2="{Left + plotWidth}" y2="{y:0.0}" stroke="#e5e5e5"/>""");
                svg.AppendLine(Invariant, $"""  <text x="{Left - 6}" y="{y + 4:0.0}" text-anchor="end">{mib:0.#}</text>""");
            }
        }

        // X axis: seconds.
        var step = NiceStep(maxSeconds / 8);
        for (var seconds = 0.0; seconds <= maxSeconds + 1e-9; seconds += step)
        {
            var x = X(seconds);
            svg.AppendLine(Invariant, $"""  <line x1="{x:0.0}" y1="{Top}" x2="{x:0.0}" y2="{Top + plotHeight}" stroke="#f0f0f0"/>""");
            svg.AppendLine(Invariant, $"""  <text x="{x:0.0}" y="{Top + plotHeight + 18}" text-anchor="middle">{seconds:0}</text>""");
        }

        svg.AppendLine(Invariant, $"""  <line x1="{Left}" y1="{Top + plotHeight}" x2="{Left + plotWidth}" y2="{Top + plotHeight}" stroke="black"/>""");
        svg.AppendLine(Invariant, $"""  <line x1="{Left}" y1="{Top}" x2="{Left}" y2="{Top + plotHeight}" stroke="black"/>""");
        svg.AppendLine(Invariant, $"""  <text x="{Left + plotWidth / 2}" y="{Height - 12}" text-anchor="middle">seconds since the first session</text>""");
        svg.AppendLine(Invariant, $"""  <text x="18" y="{Top + plotHeight / 2}" text-anchor="middle" transform="rotate(-90 18 {Top + plotHeight / 2})">managed heap, MiB</text>""");

        for (var i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            var color = Colors[i % Colors.Length];
            var points = string.Join(" ", run.Samples.Select(s => string.Create(Invariant, $"{X(s.Seconds):0.0},{Y(Mib(s.ManagedBytes)):0.0}")));
            svg.AppendLine(Invariant, $"""  <polyline fill="none" stroke="{color}" stroke-width="2" points="{points}"/>""");
            var baseline = Y(Mib(run.BaselineBytes));
            svg.AppendLine(Invariant, $"""  <line x1="{Left}" y1="{baseline:0.0}" x2="{Left + plotWidth}" y2="{baseline:0.0}" stroke="{color}" stroke-dasharray="4 4" stroke-width="1"/>""");

            var legendY = Top + 10 + (i * 54);
            var legendX = Left + plotWidth + 16;
            svg.AppendLine(Invariant, $"""  <line x1="{legendX}" y1="{legendY}" x2="{legendX + 24}" y2="{legendY}" stroke="{color}" stroke-width="2"/>""");
            svg.AppendLine(Invariant, $"""  <text x="{legendX + 30}" y="{legendY + 4}">{WebUtility.HtmlEncode(Title(run))}</text>""");
            svg.AppendLine(Invariant, $"""  <text x="{legendX + 30}" y="{legendY + 20}" fill="#555">baseline {Mib(run.BaselineBytes):0.00}, final {Mib(run.FinalBytes):0.00} MiB</text>""");
            svg.AppendLine(Invariant, $"""  <text x="{legendX + 30}" y="{legendY + 36}" fill="#555">{run.Sessions:N0} sessions, {run.AchievedRate:0}/s</text>""");
        }

        var noteY = Top + 10 + (runs.Count * 54);
        svg.AppendLine(Invariant, $"""  <line x1="{Left + plotWidth + 16}" y1="{noteY}" x2="{Left + plotWidth + 40}" y2="{noteY}" stroke="#555" stroke-dasharray="4 4"/>""");
        svg.AppendLine(Invariant, $"""  <text x="{Left + plotWidth + 46}" y="{noteY + 4}">baseline (before the first session)</text>""");
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string Title(SoakResult run) => run.Mode == nameof(ServerMode.Unbounded)
        ? "no McpCompat, no timeout"
        : string.Create(Invariant, $"McpCompat {run.Mode}, timeout {run.IdleTimeoutSeconds:0.##} s");

    private static double NiceStep(double raw)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(Math.Max(raw, 1e-9))));
        foreach (var factor in new[] { 1, 2, 5, 10 })
        {
            if (magnitude * factor >= raw)
            {
                return magnitude * factor;
            }
        }

        return magnitude * 10;
    }

    private static double Mib(long bytes) => bytes / 1024.0 / 1024.0;
}
