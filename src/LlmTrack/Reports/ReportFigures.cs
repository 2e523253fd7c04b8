using System.Text;
using LlmTrack.Evaluation.Figures;
using static LlmTrack.Evaluation.Figures.SvgText;

namespace LlmTrack.Reports;

/// <summary>
/// The report's own charts, written with the figures' SVG helpers: a metric's value per run as horizontal bars with
/// interval whiskers, and a scatter of two metrics. Every mark carries its run's name as text, not only a colour.
/// </summary>
internal static class ReportFigures
{
    /// <summary>The Okabe–Ito colour-blind-safe palette, ordered for contrast on white (the yellow last).</summary>
    public static readonly IReadOnlyList<string> Palette =
        ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"];

    private const double RowHeight = 26;

    /// <summary>One run's bar: its name, value and optional interval.</summary>
    public readonly record struct Bar(string Name, double Value, double? Lower, double? Upper);

    /// <summary>A metric's value per run as horizontal bars (from 0, or from the lowest value when values are negative) with whiskers for the intervals.</summary>
    public static string MetricBars(string metric, IReadOnlyList<Bar> bars, int width = 480)
    {
        const double labelFont = 12;
        string[] names = [.. bars.Select(b => ShortName(b.Name, 24))];
        double labelWidth = Math.Min(width * 0.32, names.Max(n => EstimateWidth(n, labelFont)) + 8);
        double left = labelWidth + 12;
        double right = width - 70;
        double top = 40;
        int height = (int)(top + (bars.Count * RowHeight) + 36);

        var finite = bars.SelectMany(b => new[] { b.Value, b.Lower ?? b.Value, b.Upper ?? b.Value }).Where(double.IsFinite).ToList();
        double min = Math.Min(0, finite.Count > 0 ? finite.Min() : 0);
        double max = Math.Max(0, finite.Count > 0 ? finite.Max() : 1);
        var scale = NiceScale.Compute(min, max, 5);
        double X(double v) => left + ((Math.Clamp(v, scale.Min, scale.Max) - scale.Min) / (scale.Max - scale.Min) * (right - left));

        string title = metric + " by run";
        StringBuilder sb = Begin(width, height, title);
        SvgText.Text(sb, width / 2.0, 22, metric, 15, extra: "font-weight=\"bold\"");
        double axisY = top + (bars.Count * RowHeight) + 4;
        foreach (double t in scale.Ticks)
        {
            double x = X(t);
            sb.Append("<line x1=\"").Append(N(x)).Append("\" y1=\"").Append(N(top - 4)).Append("\" x2=\"").Append(N(x))
              .Append("\" y2=\"").Append(N(axisY)).Append("\" stroke=\"#e0e0e0\"/>\n");
            SvgText.Text(sb, x, axisY + 16, NiceScale.Format(t, scale.Step), 11, fill: "#444444");
        }

        double zero = X(0);
        for (int i = 0; i < bars.Count; i++)
        {
            Bar bar = bars[i];
            string colour = Palette[i % Palette.Count];
            double y = top + (i * RowHeight);
            sb.Append("<g><title>").Append(Escape(BarTooltip(metric, bar))).Append("</title>");
            SvgText.Text(sb, left - 8, y + 15, names[i], labelFont, anchor: "end");
            if (double.IsFinite(bar.Value))
            {
                double x0 = Math.Min(zero, X(bar.Value));
                double x1 = Math.Max(zero, X(bar.Value));
                sb.Append("<rect x=\"").Append(N(x0)).Append("\" y=\"").Append(N(y + 4)).Append("\" width=\"").Append(N(Math.Max(1, x1 - x0)))
                  .Append("\" height=\"").Append(N(RowHeight - 9)).Append("\" fill=\"").Append(colour).Append("\" fill-opacity=\"0.85\"/>");
                if (bar.Lower is double lo && bar.Upper is double hi && double.IsFinite(lo) && double.IsFinite(hi))
                {
                    double cy = y + (RowHeight / 2) - 0.5;
                    sb.Append("<path d=\"M").Append(N(X(lo))).Append(' ').Append(N(cy)).Append('H').Append(N(X(hi)))
                      .Append('M').Append(N(X(lo))).Append(' ').Append(N(cy - 6)).Append('V').Append(N(cy + 6))
                      .Append('M').Append(N(X(hi))).Append(' ').Append(N(cy - 6)).Append('V').Append(N(cy + 6))
                      .Append("\" stroke=\"#111111\" stroke-width=\"1.5\" fill=\"none\"/>");
                }

                double labelX = Math.Max(X(bar.Value), bar.Upper is double u && double.IsFinite(u) ? X(u) : 0) + 5;
                SvgText.Text(sb, Math.Min(labelX, width - 4), y + 15, ReportText.Number(bar.Value), 11, anchor: labelX > width - 60 ? "end" : "start");
            }
            else
            {
                SvgText.Text(sb, left + 4, y + 15, "not logged", 11, anchor: "start", fill: "#555555");
            }

            sb.Append("</g>\n");
        }

        sb.Append("<line x1=\"").Append(N(zero)).Append("\" y1=\"").Append(N(top - 4)).Append("\" x2=\"").Append(N(zero))
          .Append("\" y2=\"").Append(N(axisY)).Append("\" stroke=\"#333333\"/>\n</svg>\n");
        return sb.ToString();
    }

    /// <summary>
    /// Cuts a long run name in the middle ("naive-bayes-…-trial-10"): runs of one sweep or family share their start and
    /// differ at the end, so both ends are kept.
    /// </summary>
    internal static string ShortName(string name, int max)
    {
        if (name.Length <= max || max < 8)
        {
            return name;
        }

        int tail = (max - 1) / 2;
        return name[..(max - 1 - tail)] + "…" + name[^tail..];
    }

    private static string BarTooltip(string metric, Bar bar) =>
        bar.Name + ": " + metric + " = " + ReportText.Number(bar.Value)
        + (bar.Lower is double lo && bar.Upper is double hi ? " [" + ReportText.Number(lo) + ", " + ReportText.Number(hi) + "]" : "");

    /// <summary>One run's point of the scatter plot.</summary>
    public readonly record struct Point(string Name, double X, double Y);

    /// <summary>A scatter plot of two metrics, one labelled point per run.</summary>
    public static string Scatter(string xMetric, string yMetric, IReadOnlyList<Point> points, int width = 560, int height = 400)
    {
        var finite = points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        // 5% margin on each side, so no point sits on the frame.
        static (double Min, double Max) Padded(IEnumerable<double> values)
        {
            var list = values.ToList();
            double min = list.Count > 0 ? list.Min() : 0;
            double max = list.Count > 0 ? list.Max() : 1;
            double pad = (max - min) * 0.05;
            return (min - pad, max + pad);
        }

        var (xMin, xMax) = Padded(finite.Select(p => p.X));
        var (yMin, yMax) = Padded(finite.Select(p => p.Y));
        var xs = NiceScale.Compute(xMin, xMax, 6);
        var ys = NiceScale.Compute(yMin, yMax, 6);
        double yTickWidth = ys.Ticks.Max(t => EstimateWidth(NiceScale.Format(t, ys.Step), 11));
        double left = 34 + yTickWidth;
        double right = width - 24;
        double top = 40;
        double bottom = height - 48;
        double X(double v) => left + ((v - xs.Min) / (xs.Max - xs.Min) * (right - left));
        double Y(double v) => bottom - ((v - ys.Min) / (ys.Max - ys.Min) * (bottom - top));

        StringBuilder sb = Begin(width, height, yMetric + " against " + xMetric);
        SvgText.Text(sb, width / 2.0, 24, yMetric + " against " + xMetric, 15, extra: "font-weight=\"bold\"");
        foreach (double t in ys.Ticks)
        {
            sb.Append("<line x1=\"").Append(N(left)).Append("\" y1=\"").Append(N(Y(t))).Append("\" x2=\"").Append(N(right))
              .Append("\" y2=\"").Append(N(Y(t))).Append("\" stroke=\"#e5e5e5\"/>\n");
            SvgText.Text(sb, left - 6, Y(t) + 4, NiceScale.Format(t, ys.Step), 11, anchor: "end", fill: "#444444");
        }

        foreach (double t in xs.Ticks)
        {
            sb.Append("<line x1=\"").Append(N(X(t))).Append("\" y1=\"").Append(N(top)).Append("\" x2=\"").Append(N(X(t)))
              .Append("\" y2=\"").Append(N(bottom)).Append("\" stroke=\"#eeeeee\"/>\n");
            SvgText.Text(sb, X(t), bottom + 17, NiceScale.Format(t, xs.Step), 11, fill: "#444444");
        }

        sb.Append("<rect x=\"").Append(N(left)).Append("\" y=\"").Append(N(top)).Append("\" width=\"").Append(N(right - left))
          .Append("\" height=\"").Append(N(bottom - top)).Append("\" fill=\"none\" stroke=\"#333333\"/>\n");
        SvgText.Text(sb, (left + right) / 2, height - 10, xMetric, 13);
        SvgText.Text(sb, 14, (top + bottom) / 2, yMetric, 13, extra: $"transform=\"rotate(-90 14 {N((top + bottom) / 2)})\"");
        // Runs at the same place share one mark and one label, so names do not print over each other.
        var places = points.Select((p, run) => (Point: p, Run: run)).Where(x => double.IsFinite(x.Point.X) && double.IsFinite(x.Point.Y))
            .GroupBy(x => (x.Point.X, x.Point.Y)).ToList();
        for (int i = 0; i < places.Count; i++)
        {
            Point p = new(string.Join(", ", places[i].Select(q => q.Point.Name)), places[i].Key.X, places[i].Key.Y);
            int run = places[i].First().Run;

            double cx = X(p.X);
            double cy = Y(p.Y);
            bool leftSide = cx > (left + right) / 2;
            sb.Append("<g><title>").Append(Escape(p.Name + ": " + xMetric + " = " + ReportText.Number(p.X) + ", " + yMetric + " = " + ReportText.Number(p.Y))).Append("</title>")
              .Append("<circle cx=\"").Append(N(cx)).Append("\" cy=\"").Append(N(cy)).Append("\" r=\"5\" fill=\"")
              .Append(Palette[run % Palette.Count]).Append("\" stroke=\"#111111\" stroke-width=\"0.8\"/>");
            SvgText.Text(sb, leftSide ? cx - 8 : cx + 8, cy - 7, ShortName(p.Name, 48), 12, anchor: leftSide ? "end" : "start");
            sb.Append("</g>\n");
        }

        sb.Append("</svg>\n");
        return sb.ToString();
    }
}
