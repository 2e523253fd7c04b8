namespace LlmTrack.Metrics.Classification;

/// <summary>A metric value with the warnings scikit-learn would have emitted while computing it.</summary>
/// <param name="Value">The metric value.</param>
/// <param name="Warnings">Warning texts as scikit-learn words them, e.g. <c>UndefinedMetricWarning: Precision is ill-defined ...</c>.</param>
public sealed record ClassificationScore(double Value, IReadOnlyList<string> Warnings)
{
    /// <summary>Whether any warning was recorded.</summary>
    public bool HasWarnings => Warnings.Count > 0;
}

/// <summary>One score per class (scikit-learn's <c>average=None</c>), in the order of <see cref="Labels"/>.</summary>
/// <typeparam name="TLabel">The label type.</typeparam>
/// <param name="Labels">The classes, in score order.</param>
/// <param name="Values">The score of each class.</param>
/// <param name="Warnings">Warning texts as scikit-learn words them.</param>
public sealed record PerClassScores<TLabel>(IReadOnlyList<TLabel> Labels, IReadOnlyList<double> Values, IReadOnlyList<string> Warnings) where TLabel : notnull;

/// <summary>Averaged precision, recall and F-score.</summary>
/// <param name="Precision">Averaged precision.</param>
/// <param name="Recall">Averaged recall.</param>
/// <param name="FScore">Averaged F-beta score.</param>
public sealed record AveragedScores(double Precision, double Recall, double FScore);

/// <summary>
/// Per-class precision, recall, F-beta and support (scikit-learn's <c>precision_recall_fscore_support</c> with
/// <c>average=None</c>) plus the micro, macro and weighted averages and the accuracy.
/// </summary>
/// <typeparam name="TLabel">The label type.</typeparam>
public sealed record ClassificationReport<TLabel>
    where TLabel : notnull
{
    /// <summary>The classes, in the order of the per-class lists.</summary>
    public required IReadOnlyList<TLabel> Labels { get; init; }

    /// <summary>Precision of each class.</summary>
    public required IReadOnlyList<double> Precision { get; init; }

    /// <summary>Recall of each class.</summary>
    public required IReadOnlyList<double> Recall { get; init; }

    /// <summary>F-beta score of each class.</summary>
    public required IReadOnlyList<double> FScore { get; init; }

    /// <summary>Number of true instances of each class.</summary>
    public required IReadOnlyList<long> Support { get; init; }

    /// <summary>Micro averages.</summary>
    public required AveragedScores Micro { get; init; }

    /// <summary>Macro averages.</summary>
    public required AveragedScores Macro { get; init; }

    /// <summary>Support-weighted averages.</summary>
    public required AveragedScores Weighted { get; init; }

    /// <summary>Fraction of correct predictions over all samples.</summary>
    public required double Accuracy { get; init; }

    /// <summary>The beta of the F-scores.</summary>
    public required double Beta { get; init; }

    /// <summary>Warnings of the per-class computation as scikit-learn words them.</summary>
    public required IReadOnlyList<string> Warnings { get; init; }
}
