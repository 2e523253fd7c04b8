using LlmTrack.Evaluation;

namespace LlmTrack.Reports;

/// <summary>Which metrics a report shows, and a metric's value with its bootstrap interval.</summary>
internal static class ReportMetrics
{
    /// <summary>Whether <paramref name="key"/> is the bound of another metric's interval (<c>&lt;key&gt;_ci_lower/_ci_upper</c>).</summary>
    public static bool IsBound(string key) =>
        key.EndsWith(EvaluationMetricKeys.ConfidenceIntervalLowerSuffix, StringComparison.Ordinal)
        || key.EndsWith(EvaluationMetricKeys.ConfidenceIntervalUpperSuffix, StringComparison.Ordinal);

    /// <summary>
    /// The metrics to show: the chosen ones, else every metric that is not an interval bound — those with an interval
    /// first, each group by key — at most <see cref="RunReportOptions.MaxMetrics"/>.
    /// </summary>
    public static IReadOnlyList<string> Choose(IReadOnlyList<ReportRun> runs, RunReportOptions options)
    {
        if (options.Metrics is not null)
        {
            return options.Metrics;
        }

        var keys = runs.SelectMany(r => r.Metrics.Keys).Where(k => !IsBound(k)).Distinct(StringComparer.Ordinal).ToList();
        bool HasInterval(string key) => runs.Any(r => Value(r, key).Lower is not null);
        return [.. keys.OrderBy(k => HasInterval(k) ? 0 : 1).ThenBy(k => k, StringComparer.Ordinal).Take(Math.Max(1, options.MaxMetrics))];
    }

    /// <summary>A run's value of <paramref name="key"/> with its interval bounds when both were logged.</summary>
    public static MetricValue Value(ReportRun run, string key)
    {
        double? value = run.Metrics.TryGetValue(key, out double v) ? v : null;
        if (run.Metrics.TryGetValue(key + EvaluationMetricKeys.ConfidenceIntervalLowerSuffix, out double lower)
            && run.Metrics.TryGetValue(key + EvaluationMetricKeys.ConfidenceIntervalUpperSuffix, out double upper))
        {
            return new MetricValue(value, lower, upper);
        }

        return new MetricValue(value, null, null);
    }
}

/// <summary>A metric's value (absent when the run did not log it) and its interval (absent when not logged).</summary>
internal readonly record struct MetricValue(double? Value, double? Lower, double? Upper);
