using LlmTrack.Metrics.Numerics;

namespace LlmTrack.Metrics.Bootstrap;

/// <summary>
/// Bootstrap resampling of any corpus metric through a <see cref="SampleScorer"/>: percentile confidence intervals and
/// sacreBLEU's paired bootstrap significance test. Resamples draw segment indices with replacement from a seeded
/// xoshiro256** generator, so results are reproducible across platforms.
/// </summary>
public static class BootstrapResampling
{
    /// <summary>Percentile bootstrap confidence interval of a corpus metric.</summary>
    /// <param name="segmentCount">Number of segments in the corpus; at least 1.</param>
    /// <param name="scorer">Scores a sample of segment indices.</param>
    /// <param name="options">Resamples, seed and confidence level; defaults when <see langword="null"/>.</param>
    /// <returns>The full-corpus estimate and the interval.</returns>
    public static BootstrapConfidenceInterval ConfidenceInterval(int segmentCount, SampleScorer scorer, BootstrapOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        options ??= new BootstrapOptions();
        options.Validate();
        CheckSegmentCount(segmentCount);
        var estimate = Check(scorer(Identity(segmentCount)), nameof(scorer), -1);
        var scores = new double[options.Resamples];
        var rng = new Xoshiro256StarStar(unchecked((ulong)options.Seed));
        var sample = new int[segmentCount];
        for (var r = 0; r < scores.Length; r++)
        {
            Draw(rng, sample);
            scores[r] = Check(scorer(sample), nameof(scorer), r);
        }

        return Summarize(estimate, scores, options);
    }

    /// <summary>
    /// sacreBLEU's paired bootstrap resampling test: the same resampled indices score both systems; the p-value is
    /// (c + 1) / (n + 1) where c counts resamples whose |system - baseline| minus the mean of those differences exceeds
    /// the observed |system - baseline| on the full corpus. Both systems also get their bootstrap mean and interval.
    /// </summary>
    /// <param name="segmentCount">Number of segments (the same for both systems); at least 1.</param>
    /// <param name="baseline">Scores a sample for the baseline system.</param>
    /// <param name="system">Scores a sample for the compared system.</param>
    /// <param name="options">Resamples, seed and confidence level; defaults when <see langword="null"/>.</param>
    /// <returns>Both systems' intervals and the p-value.</returns>
    public static PairedBootstrapResult PairedTest(int segmentCount, SampleScorer baseline, SampleScorer system, BootstrapOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(system);
        options ??= new BootstrapOptions();
        options.Validate();
        CheckSegmentCount(segmentCount);
        var all = Identity(segmentCount);
        var baselineScore = Check(baseline(all), nameof(baseline), -1);
        var systemScore = Check(system(all), nameof(system), -1);
        var n = options.Resamples;
        var baselineScores = new double[n];
        var systemScores = new double[n];
        var rng = new Xoshiro256StarStar(unchecked((ulong)options.Seed));
        var sample = new int[segmentCount];
        for (var r = 0; r < n; r++)
        {
            Draw(rng, sample);
            baselineScores[r] = Check(baseline(sample), nameof(baseline), r);
            systemScores[r] = Check(system(sample), nameof(system), r);
        }

        var observed = Math.Abs(baselineScore - systemScore);
        var sampleDiffs = new double[n];
        for (var r = 0; r < n; r++)
        {
            sampleDiffs[r] = Math.Abs(systemScores[r] - baselineScores[r]);
        }

        var meanDiff = NumpySummation.Mean(sampleDiffs);
        var exceeding = 0;
        for (var r = 0; r < n; r++)
        {
            if (sampleDiffs[r] - meanDiff > observed)
            {
                exceeding++;
            }
        }

        var p = (exceeding + 1.0) / (n + 1);
        return new PairedBootstrapResult(Summarize(baselineScore, baselineScores, options), Summarize(systemScore, systemScores, options), p);
    }

    private static BootstrapConfidenceInterval Summarize(double estimate, double[] scores, BootstrapOptions options)
    {
        var mean = NumpySummation.Mean(scores);
        var std = NumpySummation.StandardDeviation(scores);
        var sorted = (double[])scores.Clone();
        Array.Sort(sorted);
        var lowerIndex = PercentileLowerIndex(sorted.Length, options.ConfidenceLevel);
        var upperIndex = sorted.Length - lowerIndex - 1;
        return new BootstrapConfidenceInterval(estimate, sorted[lowerIndex], sorted[upperIndex], mean, std, options.ConfidenceLevel, sorted.Length, options.Seed);
    }

    // floor(n * (1 - level) / 2); for 95% this is n // 40 as in sacreBLEU's estimate_ci.
    internal static int PercentileLowerIndex(int n, double level)
    {
        var tail = (1 - level) / 2;
        var index = (int)Math.Floor((n * tail) + 1e-9);
        return Math.Clamp(index, 0, (n - 1) / 2);
    }

    private static void Draw(Xoshiro256StarStar rng, int[] sample)
    {
        for (var i = 0; i < sample.Length; i++)
        {
            sample[i] = rng.NextInt(sample.Length);
        }
    }

    private static int[] Identity(int count)
    {
        var all = new int[count];
        for (var i = 0; i < count; i++)
        {
            all[i] = i;
        }

        return all;
    }

    private static void CheckSegmentCount(int segmentCount)
    {
        if (segmentCount < 1)
        {
            throw new ArgumentException($"segmentCount must be at least 1 (an empty corpus cannot be resampled), but is {segmentCount}.", nameof(segmentCount));
        }
    }

    private static double Check(double score, string scorerName, int resample)
    {
        if (double.IsNaN(score))
        {
            var where = resample < 0 ? "the full corpus" : $"resample {resample}";
            throw new ArgumentException($"The scorer returned NaN for {where}; bootstrap needs a defined score for every sample.", scorerName);
        }

        return score;
    }
}
