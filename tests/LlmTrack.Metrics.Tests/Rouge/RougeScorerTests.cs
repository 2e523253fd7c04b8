using LlmTrack.Metrics.Rouge;

namespace LlmTrack.Metrics.Tests.Rouge;

/// <summary>Cases from rouge-score's own rouge_scorer_test.py plus this library's API contract.</summary>
public class RougeScorerTests
{
    private const double Tolerance = 1e-12;

    [Fact]
    public void Rouge1() // testRouge1
    {
        var score = new RougeScorer([RougeType.Rouge1]).Score("testing one two", "testing")[RougeType.Rouge1];
        Assert.Equal(1.0, score.Precision, Tolerance);
        Assert.Equal(1.0 / 3, score.Recall, Tolerance);
        Assert.Equal(0.5, score.FMeasure, Tolerance);
    }

    [Fact]
    public void Rouge1Multi() // testRouge1Multi
    {
        var score = new RougeScorer([RougeType.Rouge1]).ScoreMulti(["testing one two"], "testing")[RougeType.Rouge1];
        Assert.Equal(1.0, score.Precision, Tolerance);
        Assert.Equal(1.0 / 3, score.Recall, Tolerance);
        Assert.Equal(0.5, score.FMeasure, Tolerance);
    }

    [Fact]
    public void RougeAllMulti() // testRougeAllMulti
    {
        var result = new RougeScorer(["rouge1", "rouge2", "rougeL"]).ScoreMulti(["first text", "first something"], "text first");
        Assert.Equal(1.0, result[RougeType.Rouge1].FMeasure, Tolerance);
        Assert.Equal(0.0, result[RougeType.Rouge2].FMeasure, Tolerance);
        Assert.Equal(0.5, result[RougeType.RougeL].FMeasure, Tolerance);
    }

    [Theory]
    [InlineData("rouge1")]
    [InlineData("rouge2")]
    [InlineData("rougeL")]
    [InlineData("rougeLsum")]
    public void EmptyPredictionScoresZero(string name) // testRougeEmpty
    {
        var type = RougeType.Parse(name);
        Assert.Equal(RougeScore.Zero, new RougeScorer([type]).Score("testing one two", "")[type]);
        Assert.Equal(RougeScore.Zero, new RougeScorer([type]).Score("", "testing")[type]);
        Assert.Equal(RougeScore.Zero, new RougeScorer([type]).Score("", "")[type]);
    }

    [Fact]
    public void Rouge2() // testRouge2
    {
        var score = new RougeScorer([RougeType.Rouge2]).Score("testing one two", "testing one")[RougeType.Rouge2];
        Assert.Equal(1.0, score.Precision, Tolerance);
        Assert.Equal(0.5, score.Recall, Tolerance);
        Assert.Equal(2.0 / 3, score.FMeasure, Tolerance);
    }

    [Theory]
    [InlineData("testing one")]  // testRougeLConsecutive
    [InlineData("testing two")]  // testRougeLNonConsecutive
    public void RougeL(string prediction)
    {
        var score = new RougeScorer([RougeType.RougeL]).Score("testing one two", prediction)[RougeType.RougeL];
        Assert.Equal(1.0, score.Precision, Tolerance);
        Assert.Equal(2.0 / 3, score.Recall, Tolerance);
        Assert.Equal(0.8, score.FMeasure, Tolerance);
    }

    [Fact]
    public void MultipleRougeTypes() // testMultipleRougeTypes
    {
        var result = new RougeScorer([RougeType.Rouge1, RougeType.RougeL]).Score("testing one two", "testing one");
        Assert.Equal([RougeType.Rouge1, RougeType.RougeL], result.Keys);
        foreach (var score in result.Values)
        {
            Assert.Equal(1.0, score.Precision, Tolerance);
            Assert.Equal(2.0 / 3, score.Recall, Tolerance);
            Assert.Equal(0.8, score.FMeasure, Tolerance);
        }
    }

    // testRouge1/2/LAgainstRouge155(WithStemming): ROUGE-1.5.5 figures to 5 decimals.
    [Theory]
    [InlineData("rouge1", false, 0, 0.40741, 0.68750, 0.51163)]
    [InlineData("rouge1", false, 1, 0.40476, 0.65385, 0.50000)]
    [InlineData("rouge1", true, 0, 0.40741, 0.68750, 0.51163)]
    [InlineData("rouge1", true, 1, 0.42857, 0.69231, 0.52941)]
    [InlineData("rouge2", false, 0, 0.30769, 0.53333, 0.39024)]
    [InlineData("rouge2", false, 1, 0.29268, 0.48000, 0.36364)]
    [InlineData("rouge2", true, 0, 0.30769, 0.53333, 0.39024)]
    [InlineData("rouge2", true, 1, 0.29268, 0.48000, 0.36364)]
    [InlineData("rougeL", false, 0, 0.40741, 0.68750, 0.51163)]
    [InlineData("rougeL", false, 1, 0.40476, 0.65385, 0.50000)]
    public void AgreesWithRouge155(string name, bool useStemmer, int line, double recall, double precision, double fmeasure)
    {
        var targets = ReadLinesKeepingNewlines("target.txt");
        var predictions = ReadLinesKeepingNewlines("prediction.txt");
        var type = RougeType.Parse(name);
        var score = new RougeScorer([type], useStemmer).Score(targets[line], predictions[line])[type];
        Assert.Equal(recall, score.Recall, 5e-6);
        Assert.Equal(precision, score.Precision, 5e-6);
        Assert.Equal(fmeasure, score.FMeasure, 5e-6);
    }

    [Fact]
    public void RougeLsumAgreesWithRouge155WithStemming() // testRougeLSumAgainstRouge155WithStemming
    {
        var target = File.ReadAllText(RougeTestData.PathOf("rouge_score_testdata", "target_multi.0.txt"));
        var prediction = File.ReadAllText(RougeTestData.PathOf("rouge_score_testdata", "prediction_multi.0.txt"));
        var score = new RougeScorer([RougeType.RougeLsum], useStemmer: true).Score(target, prediction)[RougeType.RougeLsum];
        Assert.Equal(0.36538, score.Recall, 5e-6);
        Assert.Equal(0.66667, score.Precision, 5e-6);
        Assert.Equal(0.47205, score.FMeasure, 5e-6);
    }

    [Fact]
    public void RougeLsumSplitsSentencesOnNewlines() // testRougeLSumSentenceSplitting
    {
        var scorer = new RougeScorer([RougeType.RougeLsum], useStemmer: true);
        Assert.Equal(1.0, scorer.Score("First sentence.\nSecond Sentence.", "Second sentence.\nFirst Sentence.")[RougeType.RougeLsum].FMeasure, Tolerance);
        Assert.Equal(0.5, scorer.Score("First sentence. Second Sentence.", "Second sentence. First Sentence.")[RougeType.RougeLsum].FMeasure, Tolerance);
    }

    [Fact]
    public void RougeLsumUnionLcs() // testRougeLsum, testSummaryLevelLcs
    {
        var scorer = new RougeScorer([RougeType.RougeLsum]);
        var score = scorer.Score("w1 w2 w3 w4 w5", "w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5")[RougeType.RougeLsum];
        Assert.Equal(0.8, score.Recall);
        Assert.Equal(0.4, score.Precision);
        Assert.Equal(0.5333, score.FMeasure, 5e-4);
        Assert.Equal(RougeScore.Zero, scorer.Score("w1 w2 w3 w4 w5", "")[RougeType.RougeLsum]);
        Assert.Equal(RougeScore.Zero, scorer.Score("", "w1")[RougeType.RougeLsum]);
        Assert.Equal(RougeScore.Zero, scorer.Score("w1 w2 w3 w4 w5", "/")[RougeType.RougeLsum]);
    }

    [Fact]
    public void RougeLsumWithoutNewlinesEqualsRougeL()
    {
        var result = new RougeScorer([RougeType.RougeL, RougeType.RougeLsum]).Score(
            "the cat sat on the mat and the dog sat on the log", "on the mat the cat sat while a dog sat on a log");
        Assert.Equal(result[RougeType.RougeL], result[RougeType.RougeLsum]);
    }

    [Fact]
    public void CustomTokenizerReplacesTheDefaultOne() // testRougeTokenizerInit, plus a CJK character tokenizer
    {
        var scorer = new RougeScorer([RougeType.Rouge1, RougeType.RougeLsum], tokenizer: text => text.Where(c => !char.IsWhiteSpace(c)).Select(c => c.ToString()));
        var result = scorer.Score("今天天气很好\n我们走", "今天天气不好\n我们");
        Assert.Equal(7.0 / 8, result[RougeType.Rouge1].Precision, Tolerance); // 今天天气好我们 matched, 不 not
        Assert.Equal(7.0 / 9, result[RougeType.Rouge1].Recall, Tolerance);
        Assert.Equal(1.0, new RougeScorer([RougeType.Rouge1], tokenizer: t => RougeTokenizer.Tokenize(t, false)).Score("this is a test", "this is a test")[RougeType.Rouge1].FMeasure);

        Assert.Throws<InvalidOperationException>(() => new RougeScorer([RougeType.Rouge1], tokenizer: _ => [null!]).Score("a", "b"));
        Assert.Throws<InvalidOperationException>(() => new RougeScorer([RougeType.RougeLsum], tokenizer: _ => null!).Score("a", "b"));

        // With the default tokenizer such text has no tokens at all.
        Assert.Equal(RougeScore.Zero, new RougeScorer([RougeType.Rouge1]).Score("今天天气很好", "今天天气很好")[RougeType.Rouge1]);
    }

    [Fact]
    public void StemmingMakesInflectionsMatch()
    {
        var plain = new RougeScorer([RougeType.Rouge1]).Score("the dogs were running", "the dog runs")[RougeType.Rouge1];
        var stemmed = new RougeScorer([RougeType.Rouge1], useStemmer: true).Score("the dogs were running", "the dog runs")[RougeType.Rouge1];
        Assert.Equal(1.0 / 3, plain.Precision, Tolerance);
        Assert.Equal(1.0, stemmed.Precision, Tolerance); // the, dog, run ("runs" and "running" both stem to "run")
        Assert.Equal(3.0 / 4, stemmed.Recall, Tolerance);
    }

    [Fact]
    public void ScoreMultiTakesTheFirstBestReferencePerType()
    {
        var scorer = new RougeScorer([RougeType.Rouge1, RougeType.Rouge2]);
        var result = scorer.ScoreMulti(["b a c", "a b", "a b d e"], "a b c");
        Assert.Equal(new RougeScore(1, 1, 1), result[RougeType.Rouge1]);          // first reference
        Assert.Equal(0.5, result[RougeType.Rouge2].Precision, Tolerance);          // second reference: "a b"
        Assert.Equal(1.0, result[RougeType.Rouge2].Recall, Tolerance);
    }

    [Fact]
    public void SampleScorerAveragesTheChosenMeasure()
    {
        var corpus = new RougeScorer(RougeType.Default).CorpusScore(
            ["a b c", "x y", "a"],
            ["a b", "x y", "b"]);
        var f = corpus.CreateSampleScorer(RougeType.Rouge1);
        var p = corpus.CreateSampleScorer(RougeType.Rouge1, RougeMeasure.Precision);
        var r = corpus.CreateSampleScorer(RougeType.Rouge1, RougeMeasure.Recall);
        Assert.Equal(corpus.Mean(RougeType.Rouge1).FMeasure, f([0, 1, 2]));
        Assert.Equal(0.8, f([0]), Tolerance);
        Assert.Equal((0.8 + 0.8 + 1.0) / 3, f([0, 0, 1]), Tolerance);
        Assert.Equal((2.0 / 3 + 1 + 0) / 3, p([0, 1, 2]), Tolerance);
        Assert.Equal(1.0, r([1, 0]), Tolerance);
        Assert.Throws<ArgumentException>(() => f([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => f([3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => f([-1]));
    }

    [Fact]
    public void CorpusMeansAverageEachMeasureSeparately()
    {
        var corpus = new RougeScorer([RougeType.Rouge1]).CorpusScore(["a b c d", "a"], ["a", "a"]);
        var mean = corpus.Mean(RougeType.Rouge1);
        Assert.Equal((0.25 + 1) / 2, mean.Precision, Tolerance);
        Assert.Equal(1.0, mean.Recall, Tolerance);
        Assert.Equal((0.4 + 1) / 2, mean.FMeasure, Tolerance);
        Assert.Equal(mean, corpus.Means[RougeType.Rouge1]);
        Assert.Throws<ArgumentException>(() => corpus.Mean(RougeType.RougeL));
    }

    [Fact]
    public void RejectsInvalidInput()
    {
        var scorer = new RougeScorer(RougeType.Default);
        var mismatch = Assert.Throws<ArgumentException>(() => scorer.CorpusScore(["a", "b"], ["a"]));
        Assert.Equal("references", mismatch.ParamName);
        Assert.Contains("predictions has 2 and references has 1", mismatch.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => scorer.CorpusScore([], Array.Empty<string>()));
        Assert.Throws<ArgumentException>(() => scorer.CorpusScore(["a"], new IReadOnlyList<string>[] { [] }));
        Assert.Throws<ArgumentException>(() => scorer.ScoreMulti([], "a"));
        Assert.Throws<ArgumentNullException>(() => scorer.Score(null!, "a"));
        Assert.Throws<ArgumentException>(() => new RougeScorer(Array.Empty<RougeType>()));
        Assert.Throws<ArgumentException>(() => new RougeScorer(["rougen"]));
    }

    [Theory]
    [InlineData("rouge1", RougeVariant.NGram, 1)]
    [InlineData("rouge9", RougeVariant.NGram, 9)]
    [InlineData("rouge12", RougeVariant.NGram, 12)]
    [InlineData("rougeL", RougeVariant.LongestCommonSubsequence, 0)]
    [InlineData("rougeLsum", RougeVariant.SummaryLevelLcs, 0)]
    public void ParsesRougeScoreNames(string name, RougeVariant variant, int n)
    {
        var type = RougeType.Parse(name);
        Assert.Equal(variant, type.Variant);
        Assert.Equal(n, type.N);
        Assert.Equal(name, type.Name);
        Assert.Equal(name, type.ToString());
    }

    [Theory]
    [InlineData("rougen")] // testInvalidRougeTypes
    [InlineData("rouge0")]
    [InlineData("rouge01")]
    [InlineData("rouge")]
    [InlineData("rougel")]
    [InlineData("rouge-1")]
    [InlineData("rouge+1")]
    [InlineData("ROUGE1")]
    [InlineData("rouge99999999999")]
    public void RejectsInvalidNames(string name)
    {
        Assert.False(RougeType.TryParse(name, out _));
        Assert.Throws<ArgumentException>(() => RougeType.Parse(name));
    }

    [Fact]
    public void DuplicateTypesAreComputedOnce()
    {
        var scorer = new RougeScorer([RougeType.Rouge1, RougeType.NGram(1), RougeType.RougeL]);
        Assert.Equal([RougeType.Rouge1, RougeType.RougeL], scorer.RougeTypes);
    }

    [Fact]
    public void HigherOrderNGrams()
    {
        var type = RougeType.NGram(3);
        var score = new RougeScorer([type]).Score("a b c d a b c", "x a b c d")[type];
        // target trigrams: abc bcd cda dab abc (5); prediction: xab abc bcd (3); matches abc, bcd
        Assert.Equal(2.0 / 3, score.Precision, Tolerance);
        Assert.Equal(2.0 / 5, score.Recall, Tolerance);
        Assert.Equal(RougeScore.Zero, new RougeScorer([type]).Score("a b", "a b")[type]);
    }

    [Fact]
    public void ScorerIsSafeToShareAcrossThreads()
    {
        var scorer = new RougeScorer(RougeType.Default, useStemmer: true);
        var expected = scorer.Score("the cats are running\nfast dogs", "a cat runs\nthe dogs ran fast");
        Parallel.For(0, 64, _ =>
        {
            var actual = scorer.Score("the cats are running\nfast dogs", "a cat runs\nthe dogs ran fast");
            foreach (var (type, score) in expected)
            {
                Assert.Equal(score, actual[type]);
            }
        });
    }

    private static string[] ReadLinesKeepingNewlines(string file)
    {
        var text = File.ReadAllText(RougeTestData.PathOf("rouge_score_testdata", file));
        return [.. text.Split('\n').SkipLast(1).Select(l => l + "\n")];
    }
}
