using System.Globalization;
using System.Net;
using System.Text;

namespace Load;

/// <summary>
/// The frame the report's plots share (<see cref="ChurnPlot"/>, <see cref="ZombiePlot"/>): an SVG of fixed size with a
/// title, a plot area with seconds along the bottom and room on the right for a legend, grid lines with their labels,
/// the axes and their titles, and the legend's entries. Each plot maps its own values to heights and draws its lines.
/// </summary>
internal sealed class PlotFrame
{
    public const int Left = 70;
    public const int Top = 40;
    public const int PlotWidth = Width - Left - Right;
    public const int PlotHeight = Height - Top - Bottom;

    private const int Width = 860;
    private const int Height = 440;
    private const int Right = 250;
    private const int Bottom = 50;

    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private readonly StringBuilder _svg = new();
    private readonly double _maxSeconds;

    /// <summary>Opens the SVG with its title; the seconds axis runs from 0 to <paramref name="maxSeconds"/>.</summary>
    public PlotFrame(string title, double maxSeconds)
    {
        _maxSeconds = maxSeconds;
        _svg.AppendLine(Invariant, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{Height}" viewBox="0 0 {Width} {Height}" font-family="sans-serif" font-size="12">""");
        _svg.AppendLine(Invariant, $"""  <rect width="{Width}" height="{Height}" fill="white"/>""");
        _svg.AppendLine(Invariant, $"""  <text x="{Left}" y="22" font-size="14">{title}</text>""");
    }

    /// <summary>The colour of the <paramref name="index"/>th run.</summary>
    public static string Color(int index) => Colors[index % Colors.Length];

    /// <summary>The horizontal position of <paramref name="seconds"/>.</summary>
    public double X(double seconds) => Left + seconds / _maxSeconds * PlotWidth;

    /// <summary>A horizontal grid line at <paramref name="y"/>, labelled on the left and, if given, on the right.</summary>
    public void HorizontalLine(double y, string label, string? rightLabel = null)
    {
        _svg.AppendLine(Invariant, $"""  <line x1="{Left}" y1="{y:0.0}" x2="{Left + PlotWidth}" y2="{y:0.0}" stroke="#e5e5e5"/>""");
        _svg.AppendLine(Invariant, $"""  <text x="{Left - 6}" y="{y + 4:0.0}" text-anchor="end">{label}</text>""");
        if (rightLabel is not null)
        {
            _svg.AppendLine(Invariant, $"""  <text x="{Left + PlotWidth + 6}" y="{y + 4:0.0}" fill="#555">{rightLabel}</text>""");
        }
    }

    /// <summary>A vertical grid line every <paramref name="step"/> seconds from 0, each labelled below the plot.</summary>
    public void SecondsLines(double step)
    {
        for (var seconds = 0.0; seconds <= _maxSeconds + 1e-9; seconds += step)
        {
            var x = X(seconds);
            _svg.AppendLine(Invariant, $"""  <line x1="{x:0.0}" y1="{Top}" x2="{x:0.0}" y2="{Top + PlotHeight}" stroke="#f0f0f0"/>""");
            _svg.AppendLine(Invariant, $"""  <text x="{x:0.0}" y="{Top + PlotHeight + 18}" text-anchor="middle">{seconds:0}</text>""");
        }
    }

    /// <summary>The bottom and the left axis with their titles.</summary>
    public void Axes(string secondsTitle, string leftTitle)
    {
        _svg.AppendLine(Invariant, $"""  <line x1="{Left}" y1="{Top + PlotHeight}" x2="{Left + PlotWidth}" y2="{Top + PlotHeight}" stroke="black"/>""");
        _svg.AppendLine(Invariant, $"""  <line x1="{Left}" y1="{Top}" x2="{Left}" y2="{Top + PlotHeight}" stroke="black"/>""");
        _svg.AppendLine(Invariant, $"""  <text x="{Left + PlotWidth / 2}" y="{Height - 12}" text-anchor="middle">{secondsTitle}</text>""");
        _svg.AppendLine(Invariant, $"""  <text x="18" y="{Top + PlotHeight / 2}" text-anchor="middle" transform="rotate(-90 18 {Top + PlotHeight / 2})">{leftTitle}</text>""");
    }

    /// <summary>The title of a right-hand axis, whose labels <see cref="HorizontalLine"/> writes.</summary>
    public void RightAxisTitle(string title)
    {
        const int x = Left + PlotWidth + 40;
        _svg.AppendLine(Invariant, $"""  <text x="{x}" y="{Top + PlotHeight / 2}" text-anchor="middle" fill="#555" transform="rotate(90 {x} {Top + PlotHeight / 2})">{title}</text>""");
    }

    /// <summary>A line through <paramref name="points"/>: solid, or dashed and thin.</summary>
    public void Polyline(string color, IEnumerable<(double X, double Y)> points, bool dashed = false)
    {
        var joined = string.Join(" ", points.Select(p => string.Create(Invariant, $"{p.X:0.0},{p.Y:0.0}")));
        _svg.AppendLine(dashed
            ? string.Create(Invariant, $"""  <polyline fill="none" stroke="{color}" stroke-width="1" stroke-dasharray="4 4" points="{joined}"/>""")
            : string.Create(Invariant, $"""  <polyline fill="none" stroke="{color}" stroke-width="2" points="{joined}"/>"""));
    }

    /// <summary>A dashed line across the plot at <paramref name="y"/>.</summary>
    public void DashedLevel(string color, double y) =>
        _svg.AppendLine(Invariant, $"""  <line x1="{Left}" y1="{y:0.0}" x2="{Left + PlotWidth}" y2="{y:0.0}" stroke="{color}" stroke-dasharray="4 4" stroke-width="1"/>""");

    /// <summary>
    /// The <paramref name="index"/>th entry of the legend, <paramref name="offset"/> right of the plot: a solid sample
    /// of <paramref name="color"/>, the run's <paramref name="title"/> and two grey lines of figures.
    /// </summary>
    public void LegendEntry(int index, int offset, string color, string title, string figures, string moreFigures)
    {
        var (x, y) = Legend(index, offset);
        _svg.AppendLine(Invariant, $"""  <line x1="{x}" y1="{y}" x2="{x + 24}" y2="{y}" stroke="{color}" stroke-width="2"/>""");
        _svg.AppendLine(Invariant, $"""  <text x="{x + 30}" y="{y + 4}">{WebUtility.HtmlEncode(title)}</text>""");
        _svg.AppendLine(Invariant, $"""  <text x="{x + 30}" y="{y + 20}" fill="#555">{figures}</text>""");
        _svg.AppendLine(Invariant, $"""  <text x="{x + 30}" y="{y + 36}" fill="#555">{moreFigures}</text>""");
    }

    /// <summary>A one-line legend entry in the <paramref name="index"/>th place: a grey dashed sample and its meaning.</summary>
    public void LegendNote(int index, int offset, string text)
    {
        var (x, y) = Legend(index, offset);
        _svg.AppendLine(Invariant, $"""  <line x1="{x}" y1="{y}" x2="{x + 24}" y2="{y}" stroke="#555" stroke-dasharray="4 4"/>""");
        _svg.AppendLine(Invariant, $"""  <text x="{x + 30}" y="{y + 4}">{text}</text>""");
    }

    /// <summary>Closes the SVG and returns it.</summary>
    public string End()
    {
        _svg.AppendLine("</svg>");
        return _svg.ToString();
    }

    private static (int X, int Y) Legend(int index, int offset) => (Left + PlotWidth + offset, Top + 10 + (index * 54));
}
