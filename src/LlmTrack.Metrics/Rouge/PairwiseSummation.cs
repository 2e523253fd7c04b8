namespace LlmTrack.Metrics.Rouge;

/// <summary>
/// NumPy's pairwise summation of float64 (<c>pairwise_sum</c> behind <c>np.sum</c>/<c>np.mean</c>
/// of a contiguous array): a plain loop below 8 values, eight interleaved accumulators up to 128,
/// and halving (at a multiple of 8) above. Means computed this way match <c>np.mean</c>.
/// </summary>
internal static class PairwiseSummation
{
    private const int BlockSize = 128;

    /// <summary>The sum of <paramref name="values"/> in NumPy's order.</summary>
    public static double Sum(ReadOnlySpan<double> values)
    {
        var n = values.Length;
        if (n < 8)
        {
            var result = 0.0;
            foreach (var v in values)
            {
                result += v;
            }

            return result;
        }

        if (n <= BlockSize)
        {
            Span<double> r = stackalloc double[8];
            values[..8].CopyTo(r);
            var i = 8;
            for (; i < n - (n % 8); i += 8)
            {
                r[0] += values[i];
                r[1] += values[i + 1];
                r[2] += values[i + 2];
                r[3] += values[i + 3];
                r[4] += values[i + 4];
                r[5] += values[i + 5];
                r[6] += values[i + 6];
                r[7] += values[i + 7];
            }

            var sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++)
            {
                sum += values[i];
            }

            return sum;
        }

        var half = n / 2;
        half -= half % 8;
        return Sum(values[..half]) + Sum(values[half..]);
    }

    /// <summary>The arithmetic mean in NumPy's order (sum, then divide by the count).</summary>
    public static double Mean(ReadOnlySpan<double> values) => Sum(values) / values.Length;
}
