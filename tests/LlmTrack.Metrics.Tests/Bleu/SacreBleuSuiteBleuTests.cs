using LlmTrack.Metrics.Bleu;

namespace LlmTrack.Metrics.Tests.Bleu;

/// <summary>Cases from sacreBLEU's own test suite (test/test_bleu.py, test_api.py), same tolerances.</summary>
public class SacreBleuSuiteBleuTests
{
    private const double Epsilon = 1e-8;

    // README example: three segments, two reference streams.
    private static readonly string[][] Refs =
    [
        ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
        ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
    ];

    private static readonly string[] Hyps = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."];

    // sacreBLEU's raw_corpus_bleu: floor smoothing, tokenize none, effective order.
    private static BleuResult RawCorpusBleu(string[] hyps, string[][] refs, double? smoothValue = null) =>
        BleuScorer.CorpusScore(hyps, refs, new BleuOptions { Smoothing = BleuSmoothing.Floor, SmoothValue = smoothValue, Tokenizer = BleuTokenizer.None, EffectiveOrder = true });

    [Theory]
    [InlineData(null, null, 48.530827)]
    [InlineData("none", null, 49.1919566)]
    [InlineData("13a", null, 48.530827)]
    [InlineData("intl", null, 43.91623493)]
    [InlineData(null, "none", 48.530827)]
    public void CorpusBleuWithTwoReferenceStreams(string? tokenize, string? smoothing, double expected)
    {
        var options = new BleuOptions();
        if (tokenize is not null)
        {
            options = options with { Tokenizer = BleuOptions.ParseTokenizer(tokenize) };
        }

        if (smoothing is not null)
        {
            options = options with { Smoothing = BleuOptions.ParseSmoothing(smoothing) };
        }

        BleuResult result = BleuScorer.CorpusScore(Hyps, Refs, options);
        Assert.True(Math.Abs(result.Score - expected) < Epsilon, result.ToString());
        Assert.StartsWith("nrefs:2|", result.Signature, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyHypothesesAreKeptAndScoreZero()
    {
        BleuResult result = BleuScorer.CorpusScore(["", "", ""], Refs);
        Assert.Equal(0.0, result.Score);
        Assert.Equal(0, result.SysLen);
        Assert.Equal(0.0, result.BrevityPenalty);
    }

    [Theory]
    [InlineData(new[] { "this is a test", "another test" }, new[] { "ref1", "ref2" }, 0.0)]
    [InlineData(new[] { "this is a test" }, new[] { "this is a test" }, 1.0)]
    [InlineData(new[] { "this is a fest" }, new[] { "this is a test" }, 0.223606797749979)]
    [InlineData(new[] { "test" }, new[] { "a test" }, 0.3678794411714425)]
    [InlineData(new[] { "a test" }, new[] { "a test" }, 1.0)]
    [InlineData(new[] { "a little test" }, new[] { "a test" }, 0.03218297948685433)]
    public void RawBleuAndEffectiveOrder(string[] hyps, string[] refs, double expected)
    {
        double score = RawCorpusBleu(hyps, [refs], 0.01).Score / 100;
        Assert.True(Math.Abs(score - expected) < Epsilon, score.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Statistics()
    {
        BleuResult result = RawCorpusBleu(["am I am a character sequence"], [["I am a symbol string sequence a a"]], 0.01);
        Assert.Equal([4.0, 2, 1, 0], result.Counts);
        Assert.Equal([6.0, 5, 4, 3], result.Totals);
    }

    [Fact]
    public void Offset()
    {
        string[] hyp = ["am I am a character sequence"];
        string[][] refs = [["I am a symbol string sequence a a"]];
        Assert.True(Math.Abs(RawCorpusBleu(hyp, refs, 0.0).Score / 100) < Epsilon);
        Assert.True(Math.Abs((RawCorpusBleu(hyp, refs).Score / 100) - 0.1555722182) < Epsilon);
        Assert.True(Math.Abs((RawCorpusBleu(hyp, refs, 0.1).Score / 100) - 0.1555722182) < Epsilon);
    }

    [Fact]
    public void ScoringFromStatistics()
    {
        double score = ComputeFromStats([9, 7, 5, 3], [10, 8, 6, 4], 11, 11, BleuSmoothing.None, 0.0);
        Assert.True(Math.Abs((score / 100) - 0.8375922397) < Epsilon);
    }

    [Theory]
    [InlineData(new long[] { 0, 0, 0, 0 }, new long[] { 4, 4, 2, 1 }, 0, 1, 0.0)]
    [InlineData(new long[] { 0, 0, 0, 0 }, new long[] { 10, 11, 12, 0 }, 14, 10, 0.0)]
    [InlineData(new long[] { 0, 0, 0, 0 }, new long[] { 0, 0, 0, 0 }, 0, 0, 0.0)]
    [InlineData(new long[] { 6, 5, 4, 0 }, new long[] { 6, 5, 4, 3 }, 6, 6, 0.0)]
    [InlineData(new long[] { 0, 0, 0, 0 }, new long[] { 0, 0, 0, 0 }, 0, 0, 0.1)]
    [InlineData(new long[] { 0, 0, 0, 0 }, new long[] { 0, 0, 0, 0 }, 1, 5, 0.01)]
    public void DegenerateStatisticsScoreZero(long[] correct, long[] total, long sysLen, long refLen, double offset)
    {
        Assert.Equal(0.0, ComputeFromStats(correct, total, sysLen, refLen, BleuSmoothing.Floor, offset));
    }

    [Fact]
    public void VariableNumberOfReferences()
    {
        // Segment 1 has one reference (the second is null, i.e. missing), segment 2 has two (the
        // second is the empty string, an empty reference in sacreBLEU 2.6.0): nrefs:var. The empty
        // reference adds no n-grams and is not the closest length here, so the statistics match.
        string?[] second = ["The dog had bit the man.", null, ""];
        BleuResult variable = BleuScorer.CorpusScore(Hyps, [Refs[0], second]);
        Assert.Equal("nrefs:var|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0", variable.Signature);

        BleuCorpus corpus = BleuScorer.Prepare(Hyps, [Refs[0], second]);
        BleuCorpus single = BleuScorer.Prepare(Hyps, [Refs[0]]);
        Assert.Equal(single.GetSegmentStatistics(1), corpus.GetSegmentStatistics(1), StatisticsComparer.Instance);
        Assert.Equal(single.GetSegmentStatistics(2), corpus.GetSegmentStatistics(2), StatisticsComparer.Instance);
        Assert.StartsWith("nrefs:2|", BleuScorer.Prepare(Hyps, Refs).Signature, StringComparison.Ordinal);
    }

    [Fact]
    public void MultipleReferencesUseMaxClippingAndClosestLength()
    {
        // "the the the" against "the cat" and "the the dog": clipped unigram count is max(1, 2) = 2.
        BleuCorpus corpus = BleuScorer.Prepare(["the the the"], [["the cat"], ["the the dog"]]);
        BleuSegmentStatistics stats = corpus.GetSegmentStatistics(0);
        Assert.Equal(3, stats.SysLen);
        Assert.Equal(3, stats.RefLen);
        Assert.Equal([2, 1, 0, 0], stats.Correct);
        Assert.Equal([3, 2, 1, 0], stats.Total);

        // Equal distance: the shorter reference length wins.
        Assert.Equal(2, BleuScorer.Prepare(["a b c"], [["x y z w"], ["x y"]]).GetSegmentStatistics(0).RefLen);
    }

    [Fact]
    public void ChineseTokenizerSeparatesCharacters()
    {
        BleuResult result = BleuScorer.SentenceScore("我喜欢猫。", ["我喜欢狗。"], new BleuOptions { Tokenizer = BleuTokenizer.Chinese, EffectiveOrder = true });
        Assert.Equal(5, result.SysLen);
        Assert.Equal([4.0, 2, 1, 0], result.Counts);
        Assert.Equal([5.0, 4, 3, 2], result.Totals);
        Assert.Equal("nrefs:1|case:mixed|eff:yes|tok:zh|smooth:exp|version:2.6.0", result.Signature);
    }

    [Fact]
    public void SentenceBleuDefaultsToEffectiveOrder()
    {
        BleuResult sentence = BleuScorer.SentenceScore("a test", ["a test"]);
        Assert.Equal(100.0, sentence.Score, 12);
        Assert.Contains("eff:yes", sentence.Signature, StringComparison.Ordinal);
        BleuResult corpus = BleuScorer.CorpusScore(["a test"], [["a test"]]);
        Assert.Equal(0.0, corpus.Score);
        Assert.Contains("eff:no", corpus.Signature, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(BleuSmoothing.Floor, null, "smooth:floor[0.10]")]
    [InlineData(BleuSmoothing.Floor, 0.015, "smooth:floor[0.01]")]
    [InlineData(BleuSmoothing.AddK, null, "smooth:add-k[1.00]")]
    [InlineData(BleuSmoothing.AddK, 0.5, "smooth:add-k[0.50]")]
    [InlineData(BleuSmoothing.Exponential, 0.5, "smooth:exp|")]
    [InlineData(BleuSmoothing.None, null, "smooth:none|")]
    public void SignatureShowsSmoothValueOnlyForFloorAndAddK(BleuSmoothing smoothing, double? value, string expected)
    {
        BleuResult result = BleuScorer.CorpusScore(["a b"], [["a b"]], new BleuOptions { Smoothing = smoothing, SmoothValue = value });
        Assert.Contains(expected, result.Signature, StringComparison.Ordinal);
    }

    private static double ComputeFromStats(long[] correct, long[] total, long sysLen, long refLen, BleuSmoothing smoothing, double value)
    {
        long[] stats = [sysLen, refLen, .. correct, .. total];
        return BleuComputation.Compute(stats, smoothing, value, false, new double[4], new double[4], new double[4], out _);
    }

    private sealed class StatisticsComparer : IEqualityComparer<BleuSegmentStatistics>
    {
        public static readonly StatisticsComparer Instance = new();

        public bool Equals(BleuSegmentStatistics? x, BleuSegmentStatistics? y) =>
            x!.SysLen == y!.SysLen && x.RefLen == y.RefLen && x.Correct.SequenceEqual(y.Correct) && x.Total.SequenceEqual(y.Total);

        public int GetHashCode(BleuSegmentStatistics obj) => obj.SysLen;
    }
}
