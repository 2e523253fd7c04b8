namespace LlmTrack.Metrics.Numerics;

/// <summary>
/// Floating-point sums in the same order as NumPy's <c>np.add.reduce</c> on a contiguous float64
/// array: NumPy's pairwise summation (blocks of up to 128 elements with eight partial sums, larger
/// ranges split in halves rounded down to a multiple of 8). Used where the reference implementation
/// calls <c>np.sum</c>, <c>np.mean</c> or <c>np.average</c> (classification averages, bootstrap
/// statistics, ROUGE corpus means), so results agree to the last bit.
/// </summary>
internal static class NumpySummation
{
    private const int BlockSize = 128;

    /// <summary>Sum as <c>np.sum(values)</c>.</summary>
    public static double Sum(ReadOnlySpan<double> values) => Pairwise(values);

    /// <summary>Mean as <c>np.mean(values)</c> (NaN for an empty span).</summary>
    public static double Mean(ReadOnlySpan<double> values) => Sum(values) / values.Length;

    /// <summary>Population standard deviation as <c>np.std(values)</c> (ddof = 0).</summary>
    public static double StandardDeviation(ReadOnlySpan<double> values)
    {
        var mean = Mean(values);
        var squares = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var d = values[i] - mean;
            squares[i] = d * d;
        }

        return Math.Sqrt(Sum(squares) / values.Length);
    }

    private static double Pairwise(ReadOnlySpan<double> a)
    {
        var n = a.Length;
        if (n < 8)
        {
            var res = 0.0;
            for (var i = 0; i < n; i++)
            {
                res += a[i];
            }

            return res;
        }

        if (n <= BlockSize)
        {
            double r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3], r4 = a[4], r5 = a[5], r6 = a[6], r7 = a[7];
            var i = 8;
            for (; i < n - (n % 8); i += 8)
            {
                r0 += a[i];
                r1 += a[i + 1];
                r2 += a[i + 2];
                r3 += a[i + 3];
                r4 += a[i + 4];
                r5 += a[i + 5];
                r6 += a[i + 6];
                r7 += a[i + 7];
            }

            var res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++)
            {
                res += a[i];
            }

            return res;
        }

        var n2 = n / 2;
        n2 -= n2 % 8;
        return Pairwise(a[..n2]) + Pairwise(a[n2..]);
    }
}
