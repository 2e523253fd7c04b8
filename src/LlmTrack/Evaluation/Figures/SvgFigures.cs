using System.Globalization;
using System.Text;
using static LlmTrack.Evaluation.Figures.SvgText;

namespace LlmTrack.Evaluation.Figures;

/// <summary>
/// Evaluation figures drawn as standalone SVG text (no graphics library): they open in a browser
/// and in MLflow's artifact viewer.
/// </summary>
public static class SvgFigures
{
    private static readonly string[] s_palette =
    [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    ];

    /// <summary>
    /// Draws a confusion matrix like scikit-learn's <c>ConfusionMatrixDisplay</c>: rows are true
    /// labels, columns predicted labels, cells coloured by value (viridis) with the value written
    /// in a contrasting colour, and a colour bar.
    /// </summary>
    /// <param name="labels">The class labels, in matrix order.</param>
    /// <param name="counts">counts[i][j] = number of examples of true class i predicted as class j.</param>
    /// <param name="options">Options.</param>
    /// <exception cref="ArgumentException">When the matrix is not square with one row per label, or a count is negative.</exception>
    public static Figure ConfusionMatrix(IReadOnlyList<string> labels, IReadOnlyList<IReadOnlyList<long>> counts, ConfusionMatrixOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(counts);
        options ??= new ConfusionMatrixOptions();
        int n = labels.Count;
        if (n == 0)
        {
            throw new ArgumentException("At least one label is needed.", nameof(labels));
        }

        if (counts.Count != n || counts.Any(r => r is null || r.Count != n))
        {
            throw new ArgumentException("The matrix must have one row and one column per label.", nameof(counts));
        }

        if (counts.Any(r => r.Any(c => c < 0)))
        {
            throw new ArgumentException("Counts must not be negative.", nameof(counts));
        }

        double[][] values = Normalise(counts, options.Normalization);
        double vmin = values.Min(r => r.Min());
        double vmax = values.Max(r => r.Max());

        int width = Math.Max(200, options.Width);
        int height = Math.Max(200, options.Height);
        string[] shown = [.. labels.Select(l => Truncate(l ?? "", options.MaxLabelLength))];
        const double tickFont = 12;
        double longest = shown.Max(l => EstimateWidth(l, tickFont));

        // Layout: title on top, y tick labels and "True label" on the left, colour bar on the right,
        // x tick labels (rotated when they do not fit) and "Predicted label" at the bottom.
        double titleHeight = 40;
        double colourBarWidth = 70;
        double left = 40 + Math.Min(longest, width * 0.3) + 10;
        double availableWidth = width - left - colourBarWidth - 20;
        double provisionalCell = Math.Max(4, Math.Min(availableWidth, height - titleHeight - 60) / n);
        bool rotate = shown.Any(l => EstimateWidth(l, tickFont) > provisionalCell - 4);
        double bottomLabels = rotate ? (Math.Min(longest, height * 0.3) * 0.72) + 18 : 22;
        double bottom = bottomLabels + 34;
        double side = Math.Max(4 * n, Math.Min(availableWidth, height - titleHeight - bottom - 10));
        double cell = side / n;
        double top = titleHeight;

        var sb = Begin(width, height, options.Title);
        SvgText.Text(sb, Math.Max(left + (side / 2), Math.Min(width / 2.0, left + side)), 26, options.Title, 16, extra: "font-weight=\"bold\"");

        string format = options.Normalization == ConfusionMatrixNormalization.None
            ? "0"
            : "0." + new string('0', Math.Clamp(options.Decimals, 0, 6));
        double valueFont = Math.Min(14, cell * 0.28);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double v = values[i][j];
                double t = vmax > vmin ? (v - vmin) / (vmax - vmin) : 0;
                (int R, int G, int B) colour = Viridis.At(t);
                double x = left + (j * cell);
                double y = top + (i * cell);
                sb.Append("<rect x=\"").Append(N(x)).Append("\" y=\"").Append(N(y)).Append("\" width=\"").Append(N(cell))
                  .Append("\" height=\"").Append(N(cell)).Append("\" fill=\"").Append(Viridis.Hex(colour)).Append("\">")
                  .Append("<title>").Append(Escape(string.Create(CultureInfo.InvariantCulture,
                      $"true {labels[i]}, predicted {labels[j]}: {counts[i][j]}"))).Append("</title></rect>\n");
                if (valueFont >= 6)
                {
                    SvgText.Text(sb, x + (cell / 2), y + (cell / 2) + (valueFont * 0.35), v.ToString(format, CultureInfo.InvariantCulture),
                        valueFont, fill: Viridis.TextColourOn(colour));
                }
            }
        }

        sb.Append("<rect x=\"").Append(N(left)).Append("\" y=\"").Append(N(top)).Append("\" width=\"").Append(N(side))
          .Append("\" height=\"").Append(N(side)).Append("\" fill=\"none\" stroke=\"#333333\" stroke-width=\"1\"/>\n");

        // Tick labels.
        for (int k = 0; k < n; k++)
        {
            string? tooltip = shown[k] != labels[k] ? labels[k] : null;
            double cy = top + (k * cell) + (cell / 2);
            SvgText.Text(sb, left - 6, cy + 4, shown[k], tickFont, anchor: "end", tooltip: tooltip);
            double cx = left + (k * cell) + (cell / 2);
            double ty = top + side + 16;
            if (rotate)
            {
                SvgText.Text(sb, cx, ty, shown[k], tickFont, anchor: "end",
                    extra: $"transform=\"rotate(-45 {N(cx)} {N(ty - 4)})\"", tooltip: tooltip);
            }
            else
            {
                SvgText.Text(sb, cx, ty, shown[k], tickFont, tooltip: tooltip);
            }
        }

        SvgText.Text(sb, left + (side / 2), top + side + bottomLabels + 22, "Predicted label", 14);
        double yLabelX = 18;
        double yLabelY = top + (side / 2);
        SvgText.Text(sb, yLabelX, yLabelY, "True label", 14, extra: $"transform=\"rotate(-90 {N(yLabelX)} {N(yLabelY)})\"");

        // Colour bar.
        double barX = left + side + 18;
        double barWidth = 14;
        sb.Append("<defs><linearGradient id=\"cm-scale\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">");
        for (int s = 0; s <= 10; s++)
        {
            sb.Append("<stop offset=\"").Append(N(s / 10.0)).Append("\" stop-color=\"").Append(Viridis.Hex(Viridis.At(s / 10.0))).Append("\"/>");
        }

        sb.Append("</linearGradient></defs>\n");
        sb.Append("<rect x=\"").Append(N(barX)).Append("\" y=\"").Append(N(top)).Append("\" width=\"").Append(N(barWidth))
          .Append("\" height=\"").Append(N(side)).Append("\" fill=\"url(#cm-scale)\" stroke=\"#333333\" stroke-width=\"0.5\"/>\n");
        (_, _, double step, List<double> ticks) = NiceScale.Compute(vmin, vmax, 6, integers: options.Normalization == ConfusionMatrixNormalization.None);
        foreach (double tick in ticks)
        {
            if (tick < vmin - 1e-12 || tick > vmax + 1e-12)
            {
                continue;
            }

            double ty = vmax > vmin ? top + side - ((tick - vmin) / (vmax - vmin) * side) : top + side;
            sb.Append("<line x1=\"").Append(N(barX + barWidth)).Append("\" y1=\"").Append(N(ty)).Append("\" x2=\"")
              .Append(N(barX + barWidth + 4)).Append("\" y2=\"").Append(N(ty)).Append("\" stroke=\"#333333\"/>\n");
            SvgText.Text(sb, barX + barWidth + 6, ty + 4, NiceScale.Format(tick, step), 11, anchor: "start");
        }

        sb.Append("</svg>\n");
        return new Figure(sb.ToString(), options.FileName);
    }

    /// <summary>
    /// Draws one or more metric series over steps: lines with markers, "nice" axis ticks, axis
    /// labels, a legend and a title. NaN and ±∞ points are left out.
    /// </summary>
    /// <param name="series">The series.</param>
    /// <param name="options">Options.</param>
    /// <exception cref="ArgumentException">When no series is given.</exception>
    public static Figure LineChart(IReadOnlyList<LineSeries> series, LineChartOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        options ??= new LineChartOptions();
        if (series.Count == 0)
        {
            throw new ArgumentException("At least one series is needed.", nameof(series));
        }

        var finite = series.Select(s => s.Points
                .Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y))
                .OrderBy(p => p.X)
                .ToList())
            .ToList();
        var all = finite.SelectMany(p => p).ToList();
        double xmin = all.Count > 0 ? all.Min(p => p.X) : 0;
        double xmax = all.Count > 0 ? all.Max(p => p.X) : 1;
        double ymin = all.Count > 0 ? all.Min(p => p.Y) : 0;
        double ymax = all.Count > 0 ? all.Max(p => p.Y) : 1;
        bool integerX = all.All(p => p.X == Math.Floor(p.X));

        int width = Math.Max(240, options.Width);
        int height = Math.Max(180, options.Height);
        IReadOnlyList<string> palette = options.Palette is { Count: > 0 } chosen ? chosen : s_palette;
        const double legendFont = 12;
        string[] names = [.. series.Select(s => Truncate(s.Name ?? "", 28))];
        double legendWidth = Math.Min(width * 0.35, names.Max(nm => EstimateWidth(nm, legendFont)) + 34);

        var xs = NiceScale.Compute(xmin, xmax, Math.Clamp((width - 200) / 80, 3, 10), integerX);
        var ys = NiceScale.Compute(ymin, ymax, Math.Clamp((height - 120) / 40, 3, 10));
        double yTickWidth = ys.Ticks.Max(t => EstimateWidth(NiceScale.Format(t, ys.Step), 11));

        double left = 30 + yTickWidth + 12;
        double right = width - legendWidth - 16;
        double top = 44;
        double bottom = height - 50;

        double X(double x) => left + ((x - xs.Min) / (xs.Max - xs.Min) * (right - left));
        double Y(double y) => bottom - ((y - ys.Min) / (ys.Max - ys.Min) * (bottom - top));

        var sb = Begin(width, height, options.Title);
        SvgText.Text(sb, (left + right) / 2, 26, options.Title, 16, extra: "font-weight=\"bold\"");

        // Grid and ticks.
        foreach (double t in ys.Ticks)
        {
            double y = Y(t);
            sb.Append("<line x1=\"").Append(N(left)).Append("\" y1=\"").Append(N(y)).Append("\" x2=\"").Append(N(right))
              .Append("\" y2=\"").Append(N(y)).Append("\" stroke=\"#e5e5e5\" stroke-width=\"1\"/>\n");
            SvgText.Text(sb, left - 6, y + 4, NiceScale.Format(t, ys.Step), 11, anchor: "end");
        }

        foreach (double t in xs.Ticks)
        {
            double x = X(t);
            sb.Append("<line x1=\"").Append(N(x)).Append("\" y1=\"").Append(N(top)).Append("\" x2=\"").Append(N(x))
              .Append("\" y2=\"").Append(N(bottom)).Append("\" stroke=\"#f0f0f0\" stroke-width=\"1\"/>\n");
            sb.Append("<line x1=\"").Append(N(x)).Append("\" y1=\"").Append(N(bottom)).Append("\" x2=\"").Append(N(x))
              .Append("\" y2=\"").Append(N(bottom + 4)).Append("\" stroke=\"#333333\"/>\n");
            SvgText.Text(sb, x, bottom + 17, NiceScale.Format(t, xs.Step), 11);
        }

        sb.Append("<rect x=\"").Append(N(left)).Append("\" y=\"").Append(N(top)).Append("\" width=\"").Append(N(right - left))
          .Append("\" height=\"").Append(N(bottom - top)).Append("\" fill=\"none\" stroke=\"#333333\" stroke-width=\"1\"/>\n");
        SvgText.Text(sb, (left + right) / 2, height - 12, options.XLabel, 13);
        double yLabelX = 16;
        double yLabelY = (top + bottom) / 2;
        SvgText.Text(sb, yLabelX, yLabelY, options.YLabel, 13, extra: $"transform=\"rotate(-90 {N(yLabelX)} {N(yLabelY)})\"");

        // Lines.
        for (int s = 0; s < series.Count; s++)
        {
            string colour = palette[s % palette.Count];
            List<ChartPoint> points = finite[s];
            sb.Append("<g>");
            sb.Append("<title>").Append(Escape(series[s].Name ?? "")).Append("</title>");
            if (points.Count > 1)
            {
                sb.Append("<polyline fill=\"none\" stroke=\"").Append(colour).Append("\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"");
                for (int k = 0; k < points.Count; k++)
                {
                    if (k > 0)
                    {
                        sb.Append(' ');
                    }

                    sb.Append(N(X(points[k].X))).Append(',').Append(N(Y(points[k].Y)));
                }

                sb.Append("\"/>");
            }

            if (points.Count <= 60)
            {
                foreach (ChartPoint p in points)
                {
                    sb.Append("<circle cx=\"").Append(N(X(p.X))).Append("\" cy=\"").Append(N(Y(p.Y)))
                      .Append("\" r=\"3\" fill=\"").Append(colour).Append("\"/>");
                }
            }

            sb.Append("</g>\n");
        }

        // Legend.
        double lx = right + 14;
        double ly = top + 6;
        for (int s = 0; s < series.Count; s++)
        {
            string colour = palette[s % palette.Count];
            double y = ly + (s * 20);
            sb.Append("<line x1=\"").Append(N(lx)).Append("\" y1=\"").Append(N(y)).Append("\" x2=\"").Append(N(lx + 20))
              .Append("\" y2=\"").Append(N(y)).Append("\" stroke=\"").Append(colour).Append("\" stroke-width=\"2\"/>");
            sb.Append("<circle cx=\"").Append(N(lx + 10)).Append("\" cy=\"").Append(N(y)).Append("\" r=\"3\" fill=\"").Append(colour).Append("\"/>\n");
            SvgText.Text(sb, lx + 26, y + 4, names[s], legendFont, anchor: "start",
                tooltip: names[s] != series[s].Name ? series[s].Name : null);
        }

        if (all.Count == 0)
        {
            SvgText.Text(sb, (left + right) / 2, (top + bottom) / 2, "no finite values", 13, fill: "#888888");
        }

        sb.Append("</svg>\n");
        return new Figure(sb.ToString(), options.FileName);
    }

    /// <summary>scikit-learn's <c>confusion_matrix(normalize=…)</c>: divide by row, column or total sums; 0 where a sum is 0.</summary>
    internal static double[][] Normalise(IReadOnlyList<IReadOnlyList<long>> counts, ConfusionMatrixNormalization normalization)
    {
        int n = counts.Count;
        var result = new double[n][];
        double total = counts.Sum(r => r.Sum(c => (double)c));
        for (int i = 0; i < n; i++)
        {
            result[i] = new double[n];
            double rowSum = counts[i].Sum(c => (double)c);
            for (int j = 0; j < n; j++)
            {
                double denominator = normalization switch
                {
                    ConfusionMatrixNormalization.True => rowSum,
                    ConfusionMatrixNormalization.Pred => counts.Sum(r => (double)r[j]),
                    ConfusionMatrixNormalization.All => total,
                    _ => 1,
                };
                result[i][j] = denominator == 0 ? 0 : counts[i][j] / denominator;
            }
        }

        return result;
    }
}
