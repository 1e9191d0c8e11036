using System.Globalization;

namespace Load;

/// <summary>
/// Draws the churn soak's managed heap over time as an SVG: one polyline per run, a logarithmic MiB axis (so the run
/// that stays near its baseline and the one that grows without bound are both readable), the baseline marked, a legend.
/// </summary>
internal static class ChurnPlot
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Render(IReadOnlyList<SoakResult> runs)
    {
        var maxSeconds = Math.Max(1, runs.SelectMany(r => r.Samples).Max(s => s.Seconds));
        var allMib = runs.SelectMany(r => r.Samples.Select(s => Figures.Mib(s.ManagedBytes)).Append(Figures.Mib(r.BaselineBytes))).ToList();
        var lowDecade = Math.Floor(Math.Log10(Math.Max(0.1, allMib.Min())));
        var highDecade = Math.Ceiling(Math.Log10(Math.Max(1, allMib.Max())));
        if (highDecade <= lowDecade)
        {
            highDecade = lowDecade + 1;
        }

        double Y(double mib) => PlotFrame.Top + PlotFrame.PlotHeight - (Math.Log10(Math.Max(mib, 1e-3)) - lowDecade) / (highDecade - lowDecade) * PlotFrame.PlotHeight;

        var frame = new PlotFrame("Churn soak: managed heap after a forced full GC (MiB, log scale) over time", maxSeconds);

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

                frame.HorizontalLine(Y(mib), mib.ToString("0.#", Invariant));
            }
        }

        frame.SecondsLines(NiceStep(maxSeconds / 8));
        frame.Axes("seconds since the first session", "managed heap, MiB");

        for (var i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            var color = PlotFrame.Color(i);
            frame.Polyline(color, run.Samples.Select(s => (frame.X(s.Seconds), Y(Figures.Mib(s.ManagedBytes)))));
            frame.DashedLevel(color, Y(Figures.Mib(run.BaselineBytes)));
            frame.LegendEntry(
                i,
                16,
                color,
                Title(run),
                string.Create(Invariant, $"baseline {Figures.Mib(run.BaselineBytes):0.00}, final {Figures.Mib(run.FinalBytes):0.00} MiB"),
                string.Create(Invariant, $"{run.Sessions:N0} sessions, {run.AchievedRate:0}/s"));
        }

        frame.LegendNote(runs.Count, 16, "baseline (before the first session)");
        return frame.End();
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
}
