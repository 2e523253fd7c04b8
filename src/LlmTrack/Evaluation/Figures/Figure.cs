namespace LlmTrack.Evaluation.Figures;

/// <summary>A rendered figure: standalone SVG text and a suggested artifact file name.</summary>
/// <param name="Svg">The SVG document (UTF-8 text, with <c>xmlns</c> and <c>viewBox</c>).</param>
/// <param name="FileName">A suggested file name such as <c>confusion_matrix.svg</c>.</param>
public sealed record Figure(string Svg, string FileName);

/// <summary>How a confusion matrix is normalised (as scikit-learn's <c>normalize</c> argument).</summary>
public enum ConfusionMatrixNormalization
{
    /// <summary>Raw counts.</summary>
    None,

    /// <summary>Each row (true label) sums to 1: recall per class on the diagonal.</summary>
    True,

    /// <summary>Each column (predicted label) sums to 1: precision per class on the diagonal.</summary>
    Pred,

    /// <summary>All cells sum to 1.</summary>
    All,
}

/// <summary>Options for <see cref="SvgFigures.ConfusionMatrix"/>.</summary>
public sealed record ConfusionMatrixOptions
{
    /// <summary>The title (default "Confusion matrix").</summary>
    public string Title { get; init; } = "Confusion matrix";

    /// <summary>Normalisation of the cell values (default none: counts).</summary>
    public ConfusionMatrixNormalization Normalization { get; init; } = ConfusionMatrixNormalization.None;

    /// <summary>Width in pixels (default 640).</summary>
    public int Width { get; init; } = 640;

    /// <summary>Height in pixels (default 560).</summary>
    public int Height { get; init; } = 560;

    /// <summary>Decimal places of normalised values (default 2).</summary>
    public int Decimals { get; init; } = 2;

    /// <summary>Tick labels longer than this are cut and end in "…" (the full label shows as a tooltip; default 18).</summary>
    public int MaxLabelLength { get; init; } = 18;

    /// <summary>The suggested file name (default <c>confusion_matrix.svg</c>).</summary>
    public string FileName { get; init; } = "confusion_matrix.svg";
}

/// <summary>A point of a line chart.</summary>
/// <param name="X">The x value (e.g. the step).</param>
/// <param name="Y">The y value; NaN and ±∞ points are skipped.</param>
public readonly record struct ChartPoint(double X, double Y);

/// <summary>One line of a line chart.</summary>
/// <param name="Name">The name shown in the legend.</param>
/// <param name="Points">The points, drawn in ascending x order.</param>
public sealed record LineSeries(string Name, IReadOnlyList<ChartPoint> Points)
{
    /// <summary>A series from a metric's history (x = step, y = value).</summary>
    /// <param name="name">The legend name.</param>
    /// <param name="history">The metric points.</param>
    public static LineSeries FromMetrics(string name, IEnumerable<Metric> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        return new LineSeries(name, [.. history.Select(m => new ChartPoint(m.Step, m.Value))]);
    }
}

/// <summary>Options for <see cref="SvgFigures.LineChart"/>.</summary>
public sealed record LineChartOptions
{
    /// <summary>The title (default "Metrics").</summary>
    public string Title { get; init; } = "Metrics";

    /// <summary>The x axis label (default "step").</summary>
    public string XLabel { get; init; } = "step";

    /// <summary>The y axis label (default "value").</summary>
    public string YLabel { get; init; } = "value";

    /// <summary>Width in pixels (default 720).</summary>
    public int Width { get; init; } = 720;

    /// <summary>Height in pixels (default 440).</summary>
    public int Height { get; init; } = 440;

    /// <summary>The suggested file name (default <c>line_chart.svg</c>).</summary>
    public string FileName { get; init; } = "line_chart.svg";

    /// <summary>The line colours (<c>#rrggbb</c>), reused in order; <see langword="null"/> (default) = matplotlib's tab10.</summary>
    public IReadOnlyList<string>? Palette { get; init; }
}
