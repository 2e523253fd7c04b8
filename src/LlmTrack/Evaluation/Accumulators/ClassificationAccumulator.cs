using LlmTrack.Evaluation.Figures;
using LlmTrack.Metrics.Bootstrap;
using LlmTrack.Metrics.Classification;
using Keys = LlmTrack.Evaluation.EvaluationMetricKeys.Classification;

namespace LlmTrack.Evaluation.Accumulators;

/// <summary>
/// Classification metrics of an evaluation: collects (gold, predicted) pairs, fills the <c>correct</c> column and
/// logs accuracy, macro/weighted F1 (with intervals), per-class scores, MCC, Cohen's kappa and the confusion matrix.
/// </summary>
/// <typeparam name="TLabel">The label (prediction) type.</typeparam>
internal sealed class ClassificationAccumulator<TLabel>
    where TLabel : notnull
{
    private readonly EvaluationMetrics _metrics;
    private readonly List<TLabel> _predicted = [];
    private readonly List<TLabel> _gold = [];

    /// <summary>Creates the accumulator.</summary>
    /// <param name="metrics">The requested metrics.</param>
    public ClassificationAccumulator(EvaluationMetrics metrics) => _metrics = metrics;

    /// <summary>Whether some example had no target (left out of the metrics).</summary>
    public bool TargetMissing { get; private set; }

    /// <summary>Whether any classification metric is requested.</summary>
    /// <param name="metrics">The requested metrics.</param>
    /// <returns><see langword="true"/> when this accumulator takes part.</returns>
    public static bool IsRequested(EvaluationMetrics metrics) => (metrics & EvaluationMetrics.Classification) != 0;

    /// <summary>Adds the table columns this accumulator fills.</summary>
    /// <param name="columns">The table's columns so far.</param>
    public static void AddColumns(List<string> columns) => columns.Add(Keys.CorrectColumn);

    /// <summary>Records one example.</summary>
    /// <param name="prediction">The prediction.</param>
    /// <param name="target">The target, or <see langword="null"/> when the example has none.</param>
    /// <param name="row">The table row.</param>
    /// <param name="column">The next column to fill; advanced past this accumulator's columns.</param>
    public void Add(TLabel prediction, TLabel? target, object?[] row, ref int column)
    {
        if (target is null)
        {
            TargetMissing = true;
        }
        else
        {
            _predicted.Add(prediction);
            _gold.Add(target);
        }

        row[column++] = target is not null && EqualityComparer<TLabel>.Default.Equals(prediction, target);
    }

    /// <summary>Adds the metrics; returns the confusion matrix figure (or <see langword="null"/> without examples).</summary>
    /// <param name="sink">Where the metrics go.</param>
    /// <returns>The figure to log.</returns>
    public Figure? Log(EvaluationMetricSink sink)
    {
        if (_gold.Count == 0)
        {
            return null;
        }

        var gold = _gold.ToArray();
        var predicted = _predicted.ToArray();
        var m = _metrics;
        if ((m & EvaluationMetrics.Accuracy) != 0)
        {
            sink.Add(Keys.Accuracy, ClassificationMetrics.Accuracy<TLabel>(gold, predicted));
            sink.AddWithInterval(Keys.Accuracy, gold.Length, MetricSampleScorers.Accuracy<TLabel>(gold, predicted));
        }

        if ((m & EvaluationMetrics.F1Macro) != 0)
        {
            sink.Add(Keys.F1Macro, ClassificationMetrics.F1Score<TLabel>(gold, predicted, AverageKind.Macro).Value);
            sink.AddWithInterval(Keys.F1Macro, gold.Length, MetricSampleScorers.MacroF1<TLabel>(gold, predicted));
        }

        if ((m & EvaluationMetrics.F1Weighted) != 0)
        {
            sink.Add(Keys.F1Weighted, ClassificationMetrics.F1Score<TLabel>(gold, predicted, AverageKind.Weighted).Value);
            sink.AddWithInterval(Keys.F1Weighted, gold.Length, MetricSampleScorers.FBetaScore<TLabel>(gold, predicted, 1.0, AverageKind.Weighted));
        }

        if ((m & EvaluationMetrics.PerClass) != 0)
        {
            var report = ClassificationMetrics.Report<TLabel>(gold, predicted);
            var used = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < report.Labels.Count; i++)
            {
                var label = RunMetricLoggingExtensions.UniqueLabelKey(RunMetricLoggingExtensions.LabelText(report.Labels[i]), used);
                sink.Add(Keys.F1ClassPrefix + label, report.FScore[i]);
                sink.Add(Keys.PrecisionClassPrefix + label, report.Precision[i]);
                sink.Add(Keys.RecallClassPrefix + label, report.Recall[i]);
            }
        }

        if ((m & EvaluationMetrics.MatthewsCorrelation) != 0)
        {
            sink.Add(Keys.MatthewsCorrelation, ClassificationMetrics.MatthewsCorrelation<TLabel>(gold, predicted));
        }

        if ((m & EvaluationMetrics.CohenKappa) != 0)
        {
            sink.Add(Keys.CohenKappa, ClassificationMetrics.CohenKappa<TLabel>(gold, predicted));
        }

        return RunMetricLoggingExtensions.ConfusionFigure(ClassificationMetrics.ConfusionMatrix<TLabel>(gold, predicted));
    }
}
