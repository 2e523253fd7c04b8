using LlmTrack.Metrics;
using LlmTrack.Metrics.Bootstrap;

namespace LlmTrack.Evaluation.Accumulators;

/// <summary>
/// Collects an evaluation's metrics, bootstrap intervals and signature tags (keys without the prefix), in the order
/// the accumulators add them; a key added twice keeps its first position and its last value.
/// </summary>
internal sealed class EvaluationMetricSink
{
    private readonly bool _confidenceIntervals;
    private readonly BootstrapOptions? _bootstrap;

    /// <summary>Creates a sink.</summary>
    /// <param name="confidenceIntervals">Whether <see cref="AddWithInterval"/> computes intervals.</param>
    /// <param name="bootstrap">The bootstrap settings.</param>
    public EvaluationMetricSink(bool confidenceIntervals, BootstrapOptions? bootstrap)
    {
        _confidenceIntervals = confidenceIntervals;
        _bootstrap = bootstrap;
    }

    /// <summary>Metric key → value.</summary>
    public Dictionary<string, double> Metrics { get; } = new(StringComparer.Ordinal);

    /// <summary>Metric key → bootstrap interval.</summary>
    public Dictionary<string, BootstrapConfidenceInterval> Intervals { get; } = new(StringComparer.Ordinal);

    /// <summary>Tag name → signature.</summary>
    public Dictionary<string, string> Signatures { get; } = new(StringComparer.Ordinal);

    /// <summary>Sets a metric.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    public void Add(string key, double value) => Metrics[key] = value;

    /// <summary>Adds the bootstrap interval of a metric (<c>_ci_lower</c>/<c>_ci_upper</c>) when intervals are on.</summary>
    /// <param name="key">The metric's key.</param>
    /// <param name="count">The number of segments resampled.</param>
    /// <param name="scorer">Scores a resample.</param>
    public void AddWithInterval(string key, int count, SampleScorer scorer)
    {
        if (_confidenceIntervals && count > 0)
        {
            var ci = BootstrapResampling.ConfidenceInterval(count, scorer, _bootstrap);
            Intervals[key] = ci;
            Metrics[key + EvaluationMetricKeys.ConfidenceIntervalLowerSuffix] = ci.Lower;
            Metrics[key + EvaluationMetricKeys.ConfidenceIntervalUpperSuffix] = ci.Upper;
        }
    }

    /// <summary>Adds the scaled mean of per-example values, with its interval.</summary>
    /// <param name="key">The metric's key.</param>
    /// <param name="values">The per-example values (not empty).</param>
    /// <param name="scale">A factor applied to the mean.</param>
    public void AddMean(string key, List<double> values, double scale)
    {
        var array = values.ToArray();
        Add(key, scale * array.Average());
        AddWithInterval(key, array.Length, indices =>
        {
            double sum = 0;
            foreach (var i in indices)
            {
                sum += array[i];
            }

            return scale * sum / indices.Length;
        });
    }

    /// <summary>Sets a signature tag.</summary>
    /// <param name="tag">The tag name.</param>
    /// <param name="signature">The signature.</param>
    public void AddSignature(string tag, string signature) => Signatures[tag] = signature;
}
