namespace LlmTrack;

/// <summary>
/// What an HTML report shows: the runs, each with its params, latest metrics, metric histories, confusion matrix and
/// per-example table. <see cref="RunReport.LoadAsync"/> reads it from a store; callers may also build it themselves.
/// </summary>
/// <param name="Title">The report's title (the page heading).</param>
/// <param name="Runs">The runs, in the order they are shown.</param>
public sealed record ReportInput(string Title, IReadOnlyList<ReportRun> Runs)
{
    /// <summary>
    /// The runs' comparison (<c>tracker.CompareRunsAsync</c>), when there is one: the comparison table then shows each
    /// metric's delta against the baseline with the paired test's p-value, and the comparison's warnings.
    /// </summary>
    public RunComparison? Comparison { get; init; }
}

/// <summary>One run of a report.</summary>
public sealed record ReportRun
{
    /// <summary>The run's id.</summary>
    public required string RunId { get; init; }

    /// <summary>The name shown for the run (its run name, or the id when it has none).</summary>
    public required string Name { get; init; }

    /// <summary>The run's params.</summary>
    public IReadOnlyDictionary<string, string> Params { get; init; } = new Dictionary<string, string>();

    /// <summary>The latest value of each metric, including bootstrap bounds (<c>&lt;key&gt;_ci_lower</c>, <c>&lt;key&gt;_ci_upper</c>).</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>The history of the metrics logged at more than one step (key → points).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Metric>> MetricHistories { get; init; } = new Dictionary<string, IReadOnlyList<Metric>>();

    /// <summary>The confusion matrix of a classification evaluation, or <see langword="null"/>.</summary>
    public ReportConfusionMatrix? ConfusionMatrix { get; init; }

    /// <summary>The per-example table (e.g. <c>eval_results_table.json</c>), or <see langword="null"/>.</summary>
    public ReportExampleTable? Examples { get; init; }
}

/// <summary>A confusion matrix: rows are true labels, columns predicted labels.</summary>
/// <param name="Labels">The class labels, in matrix order.</param>
/// <param name="Counts">Counts[i][j] = examples of true class i predicted as class j.</param>
public sealed record ReportConfusionMatrix(IReadOnlyList<string> Labels, IReadOnlyList<IReadOnlyList<long>> Counts);

/// <summary>A per-example table: column names and rows of values (string, number, bool or <see langword="null"/>).</summary>
/// <param name="Columns">The column names.</param>
/// <param name="Rows">The rows, one value per column.</param>
public sealed record ReportExampleTable(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<object?>> Rows);
