using LlmTrack.Metrics.Bootstrap;
using LlmTrack.Metrics.Classification;
using LlmTrack.Metrics.Perplexity;
using LlmTrack.Metrics.QuestionAnswering;

namespace LlmTrack.Metrics.Tests.Bootstrap;

public class BootstrapResamplingTests
{
    private static double[] Values(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
    }

    private static SampleScorer MeanOf(double[] values) => indices =>
    {
        double sum = 0;
        foreach (var i in indices)
        {
            sum += values[i];
        }

        return sum / indices.Length;
    };

    [Fact]
    public void RandomGeneratorIsPinned()
    {
        // Pins the documented generator (xoshiro256** seeded by SplitMix64): results must never change silently.
        var rng = new Xoshiro256StarStar(12345);
        var first = Enumerable.Range(0, 3).Select(_ => rng.NextUInt64()).ToArray();
        var again = new Xoshiro256StarStar(12345);
        Assert.Equal(first, Enumerable.Range(0, 3).Select(_ => again.NextUInt64()).ToArray());
        var draws = new Xoshiro256StarStar(7);
        var counts = new int[5];
        for (var i = 0; i < 50_000; i++)
        {
            counts[draws.NextInt(5)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
    }

    [Fact]
    public void SplitMixSeedingMatchesReferenceOutput()
    {
        // SplitMix64 reference: first output for seed 0 is 0xE220A8397B1DCDAF (Vigna's splitmix64.c).
        var rng = new Xoshiro256StarStar(0);
        var expectedS1 = 0x6E789E6AA1B965F4UL; // second SplitMix64 output for seed 0
        var expected = RotateLeft(expectedS1 * 5, 7) * 9;
        Assert.Equal(expected, rng.NextUInt64());
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

    [Fact]
    public void ConfidenceIntervalIsReproducibleAndCoversTheMean()
    {
        var values = Values(500, 1);
        var a = BootstrapResampling.ConfidenceInterval(values.Length, MeanOf(values));
        var b = BootstrapResampling.ConfidenceInterval(values.Length, MeanOf(values));
        Assert.Equal(a, b);
        Assert.Equal(values.Average(), a.Estimate, 12);
        Assert.Equal(1000, a.Resamples);
        Assert.Equal(12345, a.Seed);
        Assert.True(a.Lower < a.Estimate && a.Estimate < a.Upper);
        // Standard error of a mean of U(0,1) over 500 items is about 0.0129.
        Assert.InRange(a.StandardDeviation, 0.010, 0.016);
        Assert.InRange(a.Upper - a.Lower, 0.04, 0.06);
        var other = BootstrapResampling.ConfidenceInterval(values.Length, MeanOf(values), new BootstrapOptions { Seed = 99 });
        Assert.NotEqual(a.Lower, other.Lower);
    }

    [Fact]
    public void PercentileIndicesEqualSacreBleu()
    {
        Assert.Equal(25, BootstrapResampling.PercentileLowerIndex(1000, 0.95));
        Assert.Equal(2, BootstrapResampling.PercentileLowerIndex(100, 0.95));
        Assert.Equal(50, BootstrapResampling.PercentileLowerIndex(1000, 0.90));
        Assert.Equal(0, BootstrapResampling.PercentileLowerIndex(1, 0.95));
    }

    [Fact]
    public void PairedTestSeparatesClearDifferenceFromNoise()
    {
        var baseline = Values(400, 2);
        var better = baseline.Select(v => v + 0.2).ToArray();
        var clear = BootstrapResampling.PairedTest(baseline.Length, MeanOf(baseline), MeanOf(better));
        Assert.Equal(1.0 / 1001, clear.PValue);
        Assert.Equal(0.2, clear.Difference, 10);
        Assert.True(clear.IsSignificant());

        var same = BootstrapResampling.PairedTest(baseline.Length, MeanOf(baseline), MeanOf(baseline));
        Assert.Equal(0.0, same.Difference);
        // Identical systems: every centred difference is 0, never > 0, so p = 1/(n+1) as in sacreBLEU.
        Assert.Equal(1.0 / 1001, same.PValue);

        var noisy = Values(400, 3);
        var close = BootstrapResampling.PairedTest(baseline.Length, MeanOf(baseline), MeanOf(noisy), new BootstrapOptions { Resamples = 300 });
        Assert.True(close.PValue > 0.05);
        Assert.Equal(300, close.System.Resamples);
    }

    [Fact]
    public void ValidatesArguments()
    {
        var scorer = MeanOf([1.0]);
        Assert.Equal("segmentCount", Assert.Throws<ArgumentException>(() => BootstrapResampling.ConfidenceInterval(0, scorer)).ParamName);
        Assert.Throws<ArgumentException>(() => BootstrapResampling.ConfidenceInterval(1, scorer, new BootstrapOptions { Resamples = 0 }));
        Assert.Throws<ArgumentException>(() => BootstrapResampling.ConfidenceInterval(1, scorer, new BootstrapOptions { ConfidenceLevel = 1 }));
        Assert.Throws<ArgumentException>(() => BootstrapResampling.ConfidenceInterval(1, _ => double.NaN));
    }

    [Fact]
    public void ReadyScorersAgreeWithTheMetricsOnTheFullCorpus()
    {
        int[] yTrue = [0, 1, 2, 2, 1, 0, 1, 2, 0, 0];
        int[] yPred = [0, 2, 2, 2, 1, 0, 0, 1, 0, 1];
        var all = Enumerable.Range(0, yTrue.Length).ToArray();
        Assert.Equal(ClassificationMetrics.Accuracy<int>(yTrue, yPred), MetricSampleScorers.Accuracy<int>(yTrue, yPred)(all));
        Assert.Equal(ClassificationMetrics.F1Score<int>(yTrue, yPred, AverageKind.Macro).Value, MetricSampleScorers.MacroF1<int>(yTrue, yPred)(all));
        Assert.Equal(
            ClassificationMetrics.FBetaScore<int>(yTrue, yPred, 2.0, AverageKind.Weighted).Value,
            MetricSampleScorers.FBetaScore<int>(yTrue, yPred, 2.0, AverageKind.Weighted)(all));

        // A resample is scored as sklearn would score the resampled corpus (labels present in the sample only).
        int[] sample = [0, 0, 4, 5, 9];
        var sampledTrue = sample.Select(i => yTrue[i]).ToArray();
        var sampledPred = sample.Select(i => yPred[i]).ToArray();
        Assert.Equal(ClassificationMetrics.F1Score<int>(sampledTrue, sampledPred, AverageKind.Macro).Value, MetricSampleScorers.MacroF1<int>(yTrue, yPred)(sample));

        var squad = SquadMetrics.EvaluateV1([new("a cat", ["cat"]), new("dog", ["the cat"]), new("big dog", ["dog"])]);
        Assert.Equal(squad.ExactMatch, MetricSampleScorers.SquadExactMatch(squad.Examples)([0, 1, 2]));
        Assert.Equal(squad.F1, MetricSampleScorers.SquadF1(squad.Examples)([0, 1, 2]));

        IReadOnlyList<double>[] logProbs = [[-1.0, -2.0], [-0.5], [-3.0, -0.1, -0.2]];
        Assert.Equal(PerplexityMetrics.Evaluate(logProbs).CorpusPerplexity, MetricSampleScorers.CorpusPerplexity(logProbs)([0, 1, 2]), 14);
        Assert.Equal(Math.Exp(9.0 / 10), MetricSampleScorers.CorpusPerplexity(logProbs)([0, 0, 1, 1, 1, 1, 1, 1]), 12);
    }
}
