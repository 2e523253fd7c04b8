namespace LlmTrack;

/// <summary>
/// Runs side by side (<see cref="TrackerComparisonExtensions.CompareRunsAsync"/>): their params, every metric with its
/// confidence interval and its delta against the baseline, paired significance tests where the runs' per-example tables
/// allow one, and warnings about what makes the numbers incomparable. A plain result model: renderers (tables, Markdown,
/// HTML reports) and the release gate read it.
/// </summary>
public sealed record RunComparison
{
    /// <summary>The compared runs, in the order asked for.</summary>
    public required IReadOnlyList<ComparedRun> Runs { get; init; }

    /// <summary>The id of the baseline run (one of <see cref="Runs"/>) that deltas and tests are against.</summary>
    public required string BaselineRunId { get; init; }

    /// <summary>Params whose value is not the same in every run (a missing param counts as different).</summary>
    public required IReadOnlyList<ParamComparison> DifferingParams { get; init; }

    /// <summary>Params with the same value in every run.</summary>
    public required IReadOnlyList<ParamComparison> EqualParams { get; init; }

    /// <summary>Every metric any run has (confidence-interval bounds folded into their metric), sorted by key.</summary>
    public required IReadOnlyList<MetricComparison> Metrics { get; init; }

    /// <summary>What makes some numbers incomparable or incomplete.</summary>
    public required IReadOnlyList<ComparisonWarning> Warnings { get; init; }

    /// <summary>The significance level the paired tests were judged at.</summary>
    public required double Alpha { get; init; }

    /// <summary>The metric with this key, or <see langword="null"/>.</summary>
    /// <param name="key">The metric key.</param>
    /// <returns>The metric's row.</returns>
    public MetricComparison? FindMetric(string key) => Metrics.FirstOrDefault(m => string.Equals(m.Key, key, StringComparison.Ordinal));
}

/// <summary>One compared run.</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Name">The run's name.</param>
/// <param name="Status">The run's status.</param>
/// <param name="StartTime">When the run started.</param>
/// <param name="ExperimentId">The run's experiment.</param>
/// <param name="EvaluationDatasets">The data sets the run evaluated (inputs with context <c>eval</c>, or any input when none says so).</param>
public sealed record ComparedRun(string RunId, string? Name, RunStatus Status, DateTimeOffset StartTime, string ExperimentId, IReadOnlyList<Dataset> EvaluationDatasets);

/// <summary>One param across the runs.</summary>
/// <param name="Key">The param key.</param>
/// <param name="Values">The value in each run (same order as <see cref="RunComparison.Runs"/>; <see langword="null"/> when a run has no such param).</param>
public sealed record ParamComparison(string Key, IReadOnlyList<string?> Values);

/// <summary>One metric across the runs.</summary>
/// <param name="Key">The metric key.</param>
/// <param name="Values">The metric in each run (same order as <see cref="RunComparison.Runs"/>).</param>
public sealed record MetricComparison(string Key, IReadOnlyList<MetricCell> Values);

/// <summary>One run's value of a metric, with its interval, its delta against the baseline and the paired test.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Value">The latest value, or <see langword="null"/> when the run has no such metric.</param>
/// <param name="CiLower">The bootstrap interval's lower bound (<c>&lt;key&gt;_ci_lower</c>) when logged.</param>
/// <param name="CiUpper">The bootstrap interval's upper bound (<c>&lt;key&gt;_ci_upper</c>) when logged.</param>
/// <param name="Delta">Value minus the baseline's value (null for the baseline itself or when either is missing).</param>
/// <param name="RelativeDelta">Delta divided by the absolute baseline value (null when the baseline is 0 or missing).</param>
/// <param name="Signature">The metric's signature (tag <c>&lt;key&gt;.signature</c>, e.g. sacreBLEU's) when logged.</param>
/// <param name="PairedTest">The paired bootstrap test against the baseline, when both runs have per-example scores of the same data set.</param>
public sealed record MetricCell(
    string RunId,
    double? Value,
    double? CiLower,
    double? CiUpper,
    double? Delta,
    double? RelativeDelta,
    string? Signature,
    PairedTestResult? PairedTest);

/// <summary>What kind of problem a <see cref="ComparisonWarning"/> reports.</summary>
public enum ComparisonWarningKind
{
    /// <summary>The runs evaluated different data sets (digests differ), so their metrics are not comparable and no paired test was run.</summary>
    DifferentDatasets,

    /// <summary>A metric was computed with different signatures (e.g. BLEU tokenizers), so its values are not comparable.</summary>
    DifferentMetricSignatures,

    /// <summary>Some runs have no value of a metric.</summary>
    MissingMetric,

    /// <summary>Per-example tables of the same data set do not line up row by row, so no paired test was run.</summary>
    TablesNotAligned,

    /// <summary>A run's per-example table could not be read.</summary>
    TableUnreadable,
}

/// <summary>A typed warning of a comparison.</summary>
/// <param name="Kind">What kind of problem.</param>
/// <param name="Message">A sentence for people.</param>
/// <param name="MetricKey">The metric concerned, if any.</param>
/// <param name="RunIds">The runs concerned.</param>
public sealed record ComparisonWarning(ComparisonWarningKind Kind, string Message, string? MetricKey, IReadOnlyList<string> RunIds);
