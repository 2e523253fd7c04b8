using LlmTrack.Metrics.Chrf;

namespace LlmTrack.Metrics.Tests.Chrf;

/// <summary>Cases from sacreBLEU's own test suite (test/test_chrf.py), same tolerance.</summary>
public class SacreBleuSuiteChrfTests
{
    private const double Epsilon = 1e-4;

    public static TheoryData<string[], string[], double> EpsSmoothingCases() => new()
    {
        { ["abcdefg"], ["hijklmnop"], 0.0 },
        { ["a"], ["b"], 0.0 },
        { [""], ["b"], 0.0 },
        { [""], ["ref"], 0.0 },
        { [""], ["reference"], 0.0 },
        { ["aa"], ["ab"], 8.3333 },
        { ["a", "b"], ["a", "c"], 8.3333 },
        { ["a"], ["a"], 16.6667 },
        { ["a b c"], ["a b c"], 50.0 },
        { ["a b c"], ["abc"], 50.0 },
        { [" risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists ."], ["risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists ."], 63.361730 },
        { [" Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. "], ["Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich."], 64.1302698 },
        { ["Niemand hat die Absicht, eine Mauer zu errichten"], ["Niemand hat die Absicht, eine Mauer zu errichten"], 100.0 },
    };

    public static TheoryData<string[], string[], double> EffectiveOrderCases() => new()
    {
        { ["a"], ["a"], 100.0 },
        { [""], ["reference"], 0.0 },
        { ["a b c"], ["a b c"], 100.0 },
        { ["a b c"], ["abc"], 100.0 },
        { [""], ["c"], 0.0 },
        { ["a", "b"], ["a", "c"], 50.0 },
        { ["aa"], ["ab"], 25.0 },
    };

    public static TheoryData<string[], string[], double> KeepWhitespaceCases() => new()
    {
        { ["Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich."], ["Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich."], 67.3481606 },
        { ["risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists ."], ["risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists ."], 65.2414427 },
    };

    [Theory]
    [MemberData(nameof(EpsSmoothingCases))]
    public void EpsSmoothing(string[] hyps, string[] refs, double expected)
    {
        ChrfResult result = ChrfScorer.CorpusScore(hyps, [refs], new ChrfOptions { Beta = 3, EpsSmoothing = true });
        Assert.True(Math.Abs(result.Score - expected) < Epsilon, result.ToString());
        Assert.Equal("chrF3", result.Name);
        Assert.Contains("eff:no", result.Signature, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(EffectiveOrderCases))]
    public void EffectiveOrder(string[] hyps, string[] refs, double expected)
    {
        ChrfResult result = ChrfScorer.CorpusScore(hyps, [refs], new ChrfOptions { Beta = 3 });
        Assert.True(Math.Abs(result.Score - expected) < Epsilon, result.ToString());
    }

    [Theory]
    [MemberData(nameof(KeepWhitespaceCases))]
    public void KeepWhitespace(string[] hyps, string[] refs, double expected)
    {
        ChrfResult result = ChrfScorer.CorpusScore(hyps, [refs], new ChrfOptions { Beta = 3, Whitespace = true });
        Assert.True(Math.Abs(result.Score - expected) < Epsilon, result.ToString());
        Assert.Contains("space:yes", result.Signature, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.", "Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře.", 39.14078509)]
    [InlineData("Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři.", "A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali lékaři.", 31.22557079)]
    [InlineData("Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.", "Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli.", 57.15704367)]
    public void SentenceLevel(string hypothesis, string reference, double expected)
    {
        ChrfResult result = ChrfScorer.SentenceScore(hypothesis, [reference], new ChrfOptions { EpsSmoothing = true });
        Assert.True(Math.Abs(result.Score - expected) < Epsilon, result.ToString());
    }

    [Fact]
    public void MultipleReferencesTakeTheBestScoringOne()
    {
        ChrfResult both = ChrfScorer.SentenceScore("the cat sat", ["a dog stood", "the cat sat"]);
        Assert.Equal(100.0, both.Score, 12);
        Assert.StartsWith("nrefs:2|", both.Signature, StringComparison.Ordinal);

        ChrfCorpus corpus = ChrfScorer.Prepare(["the cat sat"], [["a dog stood"], ["the cat sat"]]);
        ChrfCorpus best = ChrfScorer.Prepare(["the cat sat"], [["the cat sat"]]);
        Assert.Equal(best.GetSegmentStatistics(0), corpus.GetSegmentStatistics(0));
    }

    [Fact]
    public void SupplementaryCharactersCountAsOneCharacter()
    {
        // Python slices strings by code point: "😀😀" has 2 unigrams and 1 bigram.
        ChrfCorpus corpus = ChrfScorer.Prepare(["😀😀"], [["😀😀"]], new ChrfOptions { CharOrder = 2 });
        Assert.Equal([2, 2, 2, 1, 1, 1], corpus.GetSegmentStatistics(0));
    }

    [Fact]
    public void WordNgramsSplitPunctuationLikeSacreBleu()
    {
        // "(hi)" → "(hi" + ")"; "," stays a word; "x." → "x" + ".".
        ChrfCorpus corpus = ChrfScorer.Prepare(["(hi) , x."], [["(hi) , x."]], new ChrfOptions { CharOrder = 1, WordOrder = 1 });
        IReadOnlyList<int> stats = corpus.GetSegmentStatistics(0);
        Assert.Equal([5, 5, 5], stats.Skip(3).Take(3));
    }
}
