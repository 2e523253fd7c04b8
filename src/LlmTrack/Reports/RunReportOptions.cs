namespace LlmTrack;

/// <summary>What an HTML report (<see cref="RunReport"/>) shows and how much of it it embeds.</summary>
public sealed record RunReportOptions
{
    /// <summary>The report's title (default "Run report"); <see cref="RunReport.LoadAsync"/> puts it in <see cref="ReportInput.Title"/>.</summary>
    public string Title { get; init; } = "Run report";

    /// <summary>
    /// The metrics to show, in order; <see langword="null"/> (default) = every metric of the runs except the bootstrap
    /// bounds, sorted by key, at most <see cref="MaxMetrics"/>.
    /// </summary>
    public IReadOnlyList<string>? Metrics { get; init; }

    /// <summary>How many metrics are shown when <see cref="Metrics"/> is not set (default 12).</summary>
    public int MaxMetrics { get; init; } = 12;

    /// <summary>The metric on the scatter plot's x axis (default the first shown metric).</summary>
    public string? ScatterX { get; init; }

    /// <summary>The metric on the scatter plot's y axis (default the second shown metric).</summary>
    public string? ScatterY { get; init; }

    /// <summary>How many of the examples where the runs disagree most are listed (default 20).</summary>
    public int MaxExamples { get; init; } = 20;

    /// <summary>
    /// The most points drawn per metric history line (default 500): longer histories are cut into this many buckets
    /// of consecutive steps, and each bucket keeps its first, lowest and highest point.
    /// </summary>
    public int MaxHistoryPoints { get; init; } = 500;

    /// <summary>Example cell texts longer than this are cut and end in "…" (default 300 characters).</summary>
    public int MaxCellLength { get; init; } = 300;

    /// <summary>
    /// The per-example table artifact to read (default: <c>eval_results_table.json</c> when the run lists it in its
    /// <c>mlflow.loggedArtifacts</c> tag, else the first table listed there).
    /// </summary>
    public string? ExampleTable { get; init; }

    /// <summary>
    /// The per-example score column the disagreement is measured on (default: <c>correct</c> when present, else the
    /// first numeric column the runs share).
    /// </summary>
    public string? ExampleScoreColumn { get; init; }

    /// <summary>The column that identifies an example across runs (default <c>inputs</c>; rows are matched by position when absent).</summary>
    public string ExampleKeyColumn { get; init; } = "inputs";
}
