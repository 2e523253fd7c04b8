using LlmTrack.Metrics.Ter;

namespace LlmTrack.Metrics.Tests.Ter;

public class TerScorerTests
{
    private const string DefaultSignature = "nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:2.6.0";

    [Fact]
    public void ReadmeExample()
    {
        var ter = new TerScorer();
        string[] hypotheses = ["the cat sat on the mat", "hello world"];
        string[][] references = [["the cat sat on a mat", "hello there world"]];

        var corpus = ter.CorpusScore(hypotheses, references);

        Assert.Equal("TER = 22.22", corpus.Format());
        Assert.Equal(DefaultSignature, corpus.Signature);
        Assert.Equal(2, corpus.NumEdits);
        Assert.Equal(9.0, corpus.RefLength);
        var sentence = ter.SentenceScore("hello world", ["hello there world", "hello world !"]);
        Assert.Equal(1, sentence.NumEdits);
        Assert.Equal(3.0, sentence.RefLength);
    }

    [Fact]
    public void MultipleReferencesUseFewestEditsAndAverageLength()
    {
        // "a b c" vs "a b c d": 1 insertion; vs "x y": 2 substitutions + 1 deletion.
        var score = new TerScorer().SentenceScore("a b c", ["a b c d", "x y"]);

        Assert.Equal(1, score.NumEdits);
        Assert.Equal(3.0, score.RefLength);
        Assert.Equal(100 * (1 / 3.0), score.Score);
        Assert.Equal("nrefs:2|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:2.6.0", score.Signature);
    }

    [Fact]
    public void CorpusWithTwoReferenceStreamsSumsEditsAndAverageLengths()
    {
        string[] hyps = ["a b c", "d e"];
        string[][] refs = [["a b c d", "d e"], ["x y", "d e f g"]];

        var stats = new TerScorer().ComputeStatistics(hyps, refs);
        var score = stats.ToScore();

        Assert.Equal(new TerSegmentStatistics(1, 3.0), stats.Segments[0]);
        Assert.Equal(new TerSegmentStatistics(0, 3.0), stats.Segments[1]);
        Assert.Equal(1, score.NumEdits);
        Assert.Equal(6.0, score.RefLength);
        Assert.Equal(100 * (1 / 6.0), score.Score);
        Assert.StartsWith("nrefs:2|", score.Signature, StringComparison.Ordinal);
    }

    [Fact]
    public void NullReferencesAreAbsentAndEmptyOnesCount()
    {
        // sacreBLEU 2.6.0 drops only None; '' is a reference of length 0 that enters the average.
        string[] hyps = ["a b", "c d"];
        string?[][] refs = [["a b", "c"], [null, ""], [null, "c d"]];

        var stats = new TerScorer().ComputeStatistics(hyps, refs);

        Assert.Equal(new TerSegmentStatistics(0, 2.0), stats.Segments[0]);
        Assert.Equal(new TerSegmentStatistics(0, 1.0), stats.Segments[1]);
        Assert.Equal("nrefs:var|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:2.6.0", stats.Signature);
    }

    [Fact]
    public void EmptyHypothesisCostsOneEditPerReferenceWord()
    {
        var score = new TerScorer().SentenceScore("", ["one two three"]);

        Assert.Equal(3, score.NumEdits);
        Assert.Equal(3.0, score.RefLength);
        Assert.Equal(100.0, score.Score);
    }

    [Fact]
    public void WhitespaceOnlyReferenceHasZeroLength()
    {
        var metric = new TerScorer();

        var nonEmpty = metric.SentenceScore("a b", [" \t"]);
        Assert.Equal(2, nonEmpty.NumEdits);
        Assert.Equal(0.0, nonEmpty.RefLength);
        Assert.Equal(100.0, nonEmpty.Score);

        var empty = metric.SentenceScore("", [" "]);
        Assert.Equal(0, empty.NumEdits);
        Assert.Equal(0.0, empty.Score);
    }

    [Fact]
    public void ShiftOfABlockCostsOneEdit()
    {
        // Moving "the cat" to the front repairs the whole hypothesis: one shift.
        var score = new TerScorer().SentenceScore("sat on the mat the cat", ["the cat sat on the mat"]);

        Assert.Equal(1, score.NumEdits);
        Assert.Equal(6.0, score.RefLength);
    }

    [Fact]
    public void ShiftPlusSubstitution()
    {
        // "d e f g h a b c" vs "a b c d e f g h" needs one shift; replacing "h" adds a substitution.
        var score = new TerScorer().SentenceScore("d e f g x a b c", ["a b c d e f g h"]);

        Assert.Equal(2, score.NumEdits);
        Assert.Equal(100 * (2 / 8.0), score.Score);
    }

    [Fact]
    public void CaseSensitivityChangesEdits()
    {
        Assert.Equal(0, new TerScorer().SentenceScore("The Cat", ["the cat"]).NumEdits);
        var cased = new TerScorer(new TerOptions { CaseSensitive = true }).SentenceScore("The Cat", ["the cat"]);
        Assert.Equal(2, cased.NumEdits);
        Assert.StartsWith("nrefs:1|case:mixed|", cased.Signature, StringComparison.Ordinal);
    }

    [Fact]
    public void CjkWithAsianSupportIsScoredPerCharacter()
    {
        const string hypothesis = "美众院公布对特";
        const string reference = "美众院公布特对";

        // Without Asian support the sentence is a single word: one substitution.
        var plain = new TerScorer(new TerOptions { Normalized = true }).SentenceScore(hypothesis, [reference]);
        Assert.Equal(1, plain.NumEdits);
        Assert.Equal(1.0, plain.RefLength);

        // Split into characters, swapping the last two is one shift.
        var asian = new TerScorer(new TerOptions { Normalized = true, AsianSupport = true })
            .SentenceScore(hypothesis, [reference]);
        Assert.Equal(1, asian.NumEdits);
        Assert.Equal(7.0, asian.RefLength);
        Assert.Equal(100 * (1 / 7.0), asian.Score);
        Assert.Equal("nrefs:1|case:lc|tok:tercom|norm:yes|punct:yes|asian:yes|version:2.6.0", asian.Signature);
    }

    [Fact]
    public void AsianPunctuationIsRemovedWithNoPunctAndAsianSupport()
    {
        var tokenizer = new TercomTokenizer(new TerOptions { Normalized = true, NoPunctuation = true, AsianSupport = true });

        Assert.Equal("你 好 世 界", tokenizer.Tokenize("你好，世界。"));
        Assert.Equal("カタカナ テスト", tokenizer.Tokenize("カタカナ・テスト！"));
    }

    [Fact]
    public void ReferencesArePreprocessedTwiceLikeSacreBleu()
    {
        // sacreBLEU tokenizes references twice. The possessive rule runs before CJK characters are
        // spaced, so "'s" before a CJK character is only split off on the second pass: in
        // references but not in hypotheses.
        var options = new TerOptions { Normalized = true, AsianSupport = true };
        var tokenizer = new TercomTokenizer(options);
        Assert.Equal("jim's 美", tokenizer.Preprocess("Jim's美"));
        Assert.Equal("jim 's 美", tokenizer.Preprocess(tokenizer.Preprocess("Jim's美")));

        var score = new TerScorer(options).SentenceScore("Jim's美", ["Jim's美"]);
        Assert.Equal(3.0, score.RefLength);
        Assert.Equal(2, score.NumEdits);
    }

    [Fact]
    public void SignatureAndFormatting()
    {
        var (hyps, refs) = TerTestData.LoadCorpusSmall();
        var score = new TerScorer().CorpusScore(hyps, refs);

        Assert.Equal(DefaultSignature, score.Signature);
        Assert.Equal("TER = 28.31", score.Format());
        Assert.Equal("TER = 28.306", score.Format(3));
        Assert.Equal("28.31", score.FormatScore());
        Assert.Equal($"TER|{DefaultSignature} = 28.31", score.FormatWithSignature());
        Assert.Equal("TER = 28.31", score.ToString());

        var options = new TerOptions { NoPunctuation = true, CaseSensitive = true };
        Assert.Equal(
            "nrefs:1|case:mixed|tok:tercom|norm:no|punct:no|asian:no|version:2.6.0",
            new TerScorer(options).SentenceScore("a", ["a"]).Signature);
    }

    [Fact]
    public void SampleScorerSumsSegmentStatisticsWithRepetition()
    {
        string[] hyps = ["a b c", "x", "p q"];
        string[][] refs = [["a b c d", "y", "p q"]];
        var stats = new TerScorer().ComputeStatistics(hyps, refs);
        var scorer = stats.CreateSampleScorer();

        // Segment stats: (1, 4), (1, 1), (0, 2).
        Assert.Equal(100 * (3 / 6.0), scorer([0, 1, 1]));
        Assert.Equal(0.0, scorer([2, 2]));
        Assert.Equal(100 * (2 / 7.0), stats.ScoreSample([0, 1, 2]).Score);
        Assert.Equal(stats.ToScore(), stats.ScoreSample([0, 1, 2]));
        Assert.Throws<ArgumentException>(() => scorer([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => scorer([3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => scorer([-1]));
    }

    [Fact]
    public void InvalidInputsThrowArgumentException()
    {
        var metric = new TerScorer();

        Assert.Throws<ArgumentException>(() => metric.CorpusScore([], [[]]));
        Assert.Throws<ArgumentException>(() => metric.CorpusScore(["a"], []));
        Assert.Throws<ArgumentException>(() => metric.CorpusScore(["a", "b"], [["a"]]));
        Assert.Throws<ArgumentException>(() => metric.CorpusScore(["a"], [["a", "b"]]));
        Assert.Throws<ArgumentException>(() => metric.CorpusScore(["a", "b"], [["a", "b"], ["a"]]));
        Assert.Throws<ArgumentException>(() => metric.CorpusScore([null!], [["a"]]));
        Assert.Throws<ArgumentException>(() => metric.CorpusScore(["a", "b"], [["a", null]]));
        Assert.Throws<ArgumentException>(() => metric.CorpusScore(["a"], [[null]]));
        Assert.Throws<ArgumentException>(() => metric.SentenceScore("a", []));
        Assert.Throws<ArgumentException>(() => metric.SentenceScore("a", [null]));
        Assert.Throws<ArgumentNullException>(() => metric.CorpusScore(null!, [["a"]]));
    }

    [Fact]
    public void LongCorpusIsScored()
    {
        var random = new Random(42);
        var hyps = new string[300];
        var refs = new string[300];
        for (var i = 0; i < hyps.Length; i++)
        {
            var words = Enumerable.Range(0, 20 + random.Next(30)).Select(_ => $"w{random.Next(50)}").ToList();
            refs[i] = string.Join(' ', words);
            var start = random.Next(words.Count - 5);
            var block = words.GetRange(start, 4);
            words.RemoveRange(start, 4);
            words.InsertRange(random.Next(words.Count), block);
            words[random.Next(words.Count)] = "zz";
            hyps[i] = string.Join(' ', words);
        }

        var score = new TerScorer().CorpusScore(hyps, [refs]);

        Assert.InRange(score.Score, 0.1, 30);
        Assert.Equal(refs.Sum(r => r.Split(' ').Length), score.RefLength);
    }
}
