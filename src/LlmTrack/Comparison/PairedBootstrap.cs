namespace LlmTrack;

/// <summary>
/// Paired bootstrap resampling on per-example scores, following sacreBLEU's <c>paired_bs</c> test (itself Koehn 2004 /
/// Moses' <c>bootstrap-hypothesis-difference-significance.pl</c>): draw <c>samples</c> resamples of the example indices
/// with replacement (the SAME indices for both systems — that is what makes it paired), compute each system's score on
/// every resample, take the absolute differences, centre them on their mean (the null hypothesis of no difference) and
/// count how often a centred resampled difference exceeds the observed absolute difference:
/// <c>p = (count + 1) / (samples + 1)</c>.
/// </summary>
/// <remarks>
/// <para>The score of a resample is the MEAN of its per-example scores. That is exact for metrics that are means over
/// examples (accuracy from a 0/1 <c>correct</c> column, SQuAD exact match and F1, custom scorers). For corpus metrics such as
/// BLEU sacreBLEU recomputes the corpus statistic from summed sufficient statistics on each resample; LlmTrack's tables hold
/// sentence-level scores, not sufficient statistics, so for <c>bleu</c>/<c>chrf</c> the test is on the mean sentence score,
/// which is a related but different statistic from corpus BLEU.</para>
/// <para>Differences from sacreBLEU: the random stream is a SplitMix64 generator (not numpy's PCG64), so p-values agree in
/// distribution, not digit for digit; sacreBLEU's defaults are kept (1000 resamples, seed 12345). When the observed
/// difference is exactly 0 the p-value is 1 (sacreBLEU's formula would give 1/(samples+1) for identical systems).</para>
/// </remarks>
public static class PairedBootstrap
{
    /// <summary>sacreBLEU's default number of resamples (1000).</summary>
    public const int DefaultSamples = 1000;

    /// <summary>sacreBLEU's default seed (12345, <c>SACREBLEU_SEED</c>).</summary>
    public const int DefaultSeed = 12345;

    /// <summary>Runs the paired test of <paramref name="candidate"/> against <paramref name="baseline"/>.</summary>
    /// <param name="baseline">The baseline's per-example scores.</param>
    /// <param name="candidate">The candidate's per-example scores, example i paired with the baseline's example i.</param>
    /// <param name="alpha">The significance level (e.g. 0.05): the difference is significant when p &lt; alpha.</param>
    /// <param name="samples">The number of resamples.</param>
    /// <param name="seed">The random seed.</param>
    /// <param name="scoreName">What the scores are (e.g. the table column), recorded on the result.</param>
    /// <returns>The observed difference, p-value and verdict.</returns>
    public static PairedTestResult Test(IReadOnlyList<double> baseline, IReadOnlyList<double> candidate, double alpha = 0.05, int samples = DefaultSamples, int seed = DefaultSeed, string scoreName = "score")
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samples);
        ArgumentOutOfRangeException.ThrowIfZero(baseline.Count, nameof(baseline));
        var n = baseline.Count;
        var random = new SplitMix64((ulong)(uint)seed);
        var indices = new int[samples][];
        for (var s = 0; s < samples; s++)
        {
            var row = indices[s] = new int[n];
            for (var i = 0; i < n; i++)
            {
                row[i] = random.NextBelow(n);
            }
        }

        return Test(baseline, candidate, indices, alpha, seed, scoreName);
    }

    /// <summary>The test on given resamples (each a list of example indices); the seeded overload draws them.</summary>
    internal static PairedTestResult Test(IReadOnlyList<double> baseline, IReadOnlyList<double> candidate, IReadOnlyList<int[]> resamples, double alpha, int seed, string scoreName)
    {
        if (baseline.Count != candidate.Count)
        {
            throw new ArgumentException($"A paired test needs the same number of examples in both runs (baseline {baseline.Count}, candidate {candidate.Count}).", nameof(candidate));
        }

        if (alpha is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be between 0 and 1.");
        }

        var baselineMean = Mean(baseline);
        var candidateMean = Mean(candidate);
        var observed = candidateMean - baselineMean;
        var samples = resamples.Count;
        var differences = new double[samples];
        var candidateScores = new double[samples];
        for (var s = 0; s < samples; s++)
        {
            double b = 0, c = 0;
            foreach (var i in resamples[s])
            {
                b += baseline[i];
                c += candidate[i];
            }

            var count = resamples[s].Length;
            candidateScores[s] = c / count;
            differences[s] = Math.Abs((c / count) - (b / count));
        }

        var meanDifference = differences.Average();
        var exceed = differences.Count(d => d - meanDifference > Math.Abs(observed));
        var p = observed == 0 ? 1.0 : (exceed + 1.0) / (samples + 1.0);

        // sacreBLEU's estimate_ci: the sorted resampled scores cut 1/40 from each end; half the width is the "±".
        Array.Sort(candidateScores);
        var lower = samples / 40;
        var halfWidth = 0.5 * (candidateScores[samples - lower - 1] - candidateScores[lower]);
        return new PairedTestResult(scoreName, baseline.Count, baselineMean, candidateMean, observed, p, p < alpha, alpha, samples, seed, candidateScores.Average(), halfWidth);
    }

    private static double Mean(IReadOnlyList<double> values)
    {
        double sum = 0;
        for (var i = 0; i < values.Count; i++)
        {
            sum += values[i];
        }

        return sum / values.Count;
    }

    /// <summary>SplitMix64 (Steele, Lea, Flood 2014): small, fast, and the same stream on every platform and runtime.</summary>
    private struct SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public ulong Next()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        /// <summary>A uniform integer in [0, bound): Lemire's multiply-shift with rejection of the biased low range.</summary>
        public int NextBelow(int bound)
        {
            var range = (ulong)bound;
            var threshold = (0UL - range) % range;
            while (true)
            {
                var product = Math.BigMul(Next(), range, out var low);
                if (low >= threshold)
                {
                    return (int)product;
                }
            }
        }
    }
}

/// <summary>The result of a paired bootstrap test (<see cref="PairedBootstrap"/>) of a candidate against a baseline.</summary>
/// <param name="ScoreName">What was compared (the per-example table column).</param>
/// <param name="ExampleCount">The number of paired examples.</param>
/// <param name="BaselineMean">The baseline's mean per-example score.</param>
/// <param name="CandidateMean">The candidate's mean per-example score.</param>
/// <param name="ObservedDifference">Candidate mean minus baseline mean.</param>
/// <param name="PValue">The probability of a difference at least this large if the systems were equally good.</param>
/// <param name="IsSignificant">Whether <see cref="PValue"/> &lt; <see cref="Alpha"/>.</param>
/// <param name="Alpha">The significance level used.</param>
/// <param name="Samples">The number of bootstrap resamples.</param>
/// <param name="Seed">The random seed.</param>
/// <param name="CandidateBootstrapMean">The candidate's mean score over the resamples.</param>
/// <param name="CandidateCiHalfWidth">Half the width of the candidate's 95% bootstrap interval (sacreBLEU's "±").</param>
public sealed record PairedTestResult(
    string ScoreName,
    int ExampleCount,
    double BaselineMean,
    double CandidateMean,
    double ObservedDifference,
    double PValue,
    bool IsSignificant,
    double Alpha,
    int Samples,
    int Seed,
    double CandidateBootstrapMean,
    double CandidateCiHalfWidth);
