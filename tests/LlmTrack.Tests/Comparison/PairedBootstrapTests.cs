namespace LlmTrack.Tests.Comparison;

public sealed class PairedBootstrapTests
{
    [Fact]
    public void HandComputedResamplesGiveSacreBleusPValue()
    {
        // baseline [0,1,0] (mean 1/3), candidate [1,1,0] (mean 2/3); observed |d| = 1/3.
        // Resamples {0,0,0} {1,2,1} {0,1,2} {2,2,2}: baseline means 0, 2/3, 1/3, 0; candidate means 1, 2/3, 2/3, 0.
        // |differences| 1, 0, 1/3, 0 (mean 1/3); centred 2/3, -1/3, 0, -1/3; only 2/3 > 1/3, so p = (1 + 1) / (4 + 1).
        int[][] resamples = [[0, 0, 0], [1, 2, 1], [0, 1, 2], [2, 2, 2]];
        var result = PairedBootstrap.Test([0, 1, 0], [1, 1, 0], resamples, 0.05, 7, "correct");
        Assert.Equal(1.0 / 3, result.BaselineMean, 12);
        Assert.Equal(2.0 / 3, result.CandidateMean, 12);
        Assert.Equal(1.0 / 3, result.ObservedDifference, 12);
        Assert.Equal(0.4, result.PValue, 12);
        Assert.False(result.IsSignificant);
        Assert.Equal(4, result.Samples);
        Assert.Equal("correct", result.ScoreName);
        Assert.Equal((1 + (2.0 / 3) + (2.0 / 3) + 0) / 4, result.CandidateBootstrapMean, 12);
        Assert.Equal(0.5, result.CandidateCiHalfWidth, 12); // sorted 0, 2/3, 2/3, 1: 4/40 = 0 → (1 - 0) / 2
    }

    [Fact]
    public void ALargeConsistentImprovementIsSignificantWithTheSmallestPossiblePValue()
    {
        var baseline = Enumerable.Range(0, 200).Select(i => i % 10 < 6 ? 1.0 : 0.0).ToArray();
        var candidate = Enumerable.Range(0, 200).Select(i => i % 10 < 9 ? 1.0 : 0.0).ToArray();
        var result = PairedBootstrap.Test(baseline, candidate);
        Assert.Equal(0.3, result.ObservedDifference, 12);
        Assert.Equal(1.0 / 1001, result.PValue, 12);
        Assert.True(result.IsSignificant);
        Assert.Equal(1000, result.Samples);
        Assert.Equal(12345, result.Seed);
    }

    [Fact]
    public void ANoisyTinyDifferenceIsNotSignificant()
    {
        // 100 examples; the systems disagree on 20 of them, 11 one way and 9 the other: +0.02 on the mean.
        var baseline = new double[100];
        var candidate = new double[100];
        for (var i = 0; i < 20; i++)
        {
            (i < 11 ? candidate : baseline)[i] = 1;
        }

        var result = PairedBootstrap.Test(baseline, candidate);
        Assert.Equal(0.02, result.ObservedDifference, 12);
        Assert.True(result.PValue > 0.1, $"p = {result.PValue}");
        Assert.False(result.IsSignificant);
    }

    [Fact]
    public void TheSameSeedGivesTheSamePValueAndIdenticalSystemsGiveOne()
    {
        double[] a = [0.1, 0.5, 0.9, 0.3, 0.7, 0.2];
        double[] b = [0.2, 0.4, 0.95, 0.35, 0.6, 0.3];
        Assert.Equal(PairedBootstrap.Test(a, b, seed: 3).PValue, PairedBootstrap.Test(a, b, seed: 3).PValue);
        Assert.Equal(1.0, PairedBootstrap.Test(a, a).PValue);
    }

    [Fact]
    public void UnpairedLengthsAreRejected() =>
        Assert.Throws<ArgumentException>(() => PairedBootstrap.Test([1, 0], [1, 0, 1]));
}
