namespace LlmTrack.Sync;

/// <summary>
/// Identifies a metric point for "is it on the target already": key, step, timestamp and value, where NaN equals NaN
/// and ±∞ equals ±<see cref="double.MaxValue"/> (MLflow's SQL stores clamp infinities to the largest double).
/// </summary>
/// <param name="Key">The metric key.</param>
/// <param name="Step">The step.</param>
/// <param name="Timestamp">The timestamp, Unix epoch milliseconds.</param>
/// <param name="ValueBits">The normalised value's bits.</param>
internal readonly record struct MetricPointKey(string Key, long Step, long Timestamp, long ValueBits)
{
    /// <summary>The key of <paramref name="metric"/>.</summary>
    public static MetricPointKey Of(Metric metric) =>
        new(metric.Key, metric.Step, metric.Timestamp, BitConverter.DoubleToInt64Bits(Normalize(metric.Value)));

    private static double Normalize(double value) => value switch
    {
        double.NaN => double.NaN,
        double.PositiveInfinity => double.MaxValue,
        double.NegativeInfinity => double.MinValue,
        0d => 0d,
        _ => value,
    };
}
