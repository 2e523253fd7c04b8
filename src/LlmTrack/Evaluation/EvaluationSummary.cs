using LlmTrack.Evaluation.Datasets;
using LlmTrack.Metrics.Bootstrap;
using LlmTrack.Metrics.Tokens;

namespace LlmTrack.Evaluation;

/// <summary>The outcome of an evaluation.</summary>
public sealed class EvaluationSummary
{
    internal EvaluationSummary(
        IReadOnlyDictionary<string, double> metrics,
        IReadOnlyDictionary<string, BootstrapConfidenceInterval> intervals,
        IReadOnlyDictionary<string, string> signatures,
        long total,
        long errors,
        TimeSpan elapsed)
    {
        Metrics = metrics;
        ConfidenceIntervals = intervals;
        Signatures = signatures;
        Total = total;
        Errors = errors;
        Elapsed = elapsed;
    }

    /// <summary>Every metric logged, by key (without the prefix).</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; }

    /// <summary>Bootstrap intervals by metric key.</summary>
    public IReadOnlyDictionary<string, BootstrapConfidenceInterval> ConfidenceIntervals { get; }

    /// <summary>Metric signatures (e.g. sacreBLEU's) by tag key.</summary>
    public IReadOnlyDictionary<string, string> Signatures { get; }

    /// <summary>Examples evaluated.</summary>
    public long Total { get; }

    /// <summary>Examples that failed.</summary>
    public long Errors { get; }

    /// <summary>Wall time of the evaluation.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Gets a metric value.</summary>
    /// <param name="key">The metric key, e.g. <c>accuracy</c>.</param>
    public double this[string key] => Metrics[key];
}
