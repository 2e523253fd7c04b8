namespace LlmTrack;

/// <summary>
/// The identity of a stored metric point within one metric key of one run: step, timestamp and value, compared as
/// MLflow's SQL stores keep them. NaN equals NaN (whatever its payload), ±∞ equals ±<see cref="double.MaxValue"/> (the
/// stores clamp infinities to the largest double) and −0 equals 0. The one rule for "is this point stored already"
/// (log-batch reconciliation, store-to-store copies, journal shipping).
/// </summary>
/// <param name="Step">The step.</param>
/// <param name="Timestamp">The timestamp, Unix epoch milliseconds.</param>
/// <param name="ValueBits">The bits of the normalised value (see <see cref="Normalize"/>).</param>
internal readonly record struct MetricPointKey(long Step, long Timestamp, long ValueBits)
{
    /// <summary>The identity of <paramref name="metric"/> (its key is not part of it: compare points of one key).</summary>
    public static MetricPointKey Of(Metric metric) => Of(metric.Step, metric.Timestamp, metric.Value);

    /// <summary>The identity of a point given by its parts.</summary>
    public static MetricPointKey Of(long step, long timestamp, double value) =>
        new(step, timestamp, BitConverter.DoubleToInt64Bits(Normalize(value)));

    /// <summary>
    /// The value as an SQL store keeps it: one canonical NaN, ±∞ clamped to ±<see cref="double.MaxValue"/>, −0 as 0.
    /// </summary>
    public static double Normalize(double value)
    {
        if (double.IsNaN(value))
        {
            return double.NaN;
        }

        if (double.IsPositiveInfinity(value))
        {
            return double.MaxValue;
        }

        if (double.IsNegativeInfinity(value))
        {
            return double.MinValue;
        }

        return value == 0 ? 0d : value;
    }
}
