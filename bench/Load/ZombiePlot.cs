using System.Globalization;

namespace Load;

/// <summary>
/// Draws the zombie churn as an SVG: live sessions over time (left axis) and the process's RSS (right axis, dashed),
/// one colour per run, with a legend.
/// </summary>
internal static class ZombiePlot
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Render(IReadOnlyList<ZombieResult> runs)
    {
        var maxSeconds = Math.Max(1, runs.SelectMany(r => r.Samples).Max(s => s.Seconds));
        var maxLive = Math.Max(10, runs.SelectMany(r => r.Samples).Max(s => s.LiveSessions));
        var liveTop = Ceiling(maxLive);
        var maxMib = Math.Max(1, runs.SelectMany(r => r.Samples).Max(s => Figures.Mib(s.RssBytes)));
        var mibTop = Ceiling(maxMib);
        double YLive(double live) => PlotFrame.Top + PlotFrame.PlotHeight - live / liveTop * PlotFrame.PlotHeight;
        double YMib(double mib) => PlotFrame.Top + PlotFrame.PlotHeight - mib / mibTop * PlotFrame.PlotHeight;

        var frame = new PlotFrame("Zombie churn on the SDK's host: live sessions (solid) and RSS (dashed) over time", maxSeconds);
        for (var i = 0; i <= 5; i++)
        {
            frame.HorizontalLine(
                PlotFrame.Top + PlotFrame.PlotHeight - (i / 5.0 * PlotFrame.PlotHeight),
                (liveTop * i / 5).ToString("0", Invariant),
                (mibTop * i / 5).ToString("0", Invariant));
        }

        frame.SecondsLines(Math.Max(60, Math.Ceiling(maxSeconds / 10 / 60) * 60));
        frame.Axes("seconds since the first zombie", "live sessions");
        frame.RightAxisTitle("RSS, MiB");

        for (var i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            var color = PlotFrame.Color(i);
            frame.Polyline(color, run.Samples.Select(s => (frame.X(s.Seconds), YLive(s.LiveSessions))));
            frame.Polyline(color, run.Samples.Select(s => (frame.X(s.Seconds), YMib(Figures.Mib(s.RssBytes)))), dashed: true);
            frame.LegendEntry(
                i,
                60,
                color,
                Title(run),
                string.Create(Invariant, $"{run.LiveAtEnd:N0} of {run.Opened:N0} live at the end"),
                string.Create(Invariant, $"RSS {Figures.Mib(run.RssStartBytes):0} → {Figures.Mib(run.RssEndBytes):0} MiB"));
        }

        return frame.End();
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
}
