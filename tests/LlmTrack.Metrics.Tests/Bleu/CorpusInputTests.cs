using LlmTrack.Metrics.Bleu;
using LlmTrack.Metrics.Chrf;

namespace LlmTrack.Metrics.Tests.Bleu;

public class CorpusInputTests
{
    [Fact]
    public void EmptyCorpusIsRefused()
    {
        Assert.Throws<ArgumentException>(() => BleuScorer.CorpusScore([], [[]]));
        Assert.Throws<ArgumentException>(() => ChrfScorer.CorpusScore([], [[]]));
    }

    [Fact]
    public void NoReferenceStreamIsRefused() =>
        Assert.Throws<ArgumentException>(() => BleuScorer.CorpusScore(["a"], []));

    [Fact]
    public void CountMismatchIsRefused()
    {
        Assert.Throws<ArgumentException>(() => BleuScorer.CorpusScore(["a", "b"], [["a"]]));
        Assert.Throws<ArgumentException>(() => ChrfScorer.CorpusScore(["a"], [["a", "b"]]));
        Assert.Throws<ArgumentException>(() => BleuScorer.CorpusScore(["a", "b"], [["a", "b"], ["a"]]));
    }

    [Fact]
    public void SegmentWhoseReferencesAreAllNullIsRefused()
    {
        // Only a missing (null) reference is absent; an empty string is a reference (sacreBLEU 2.6.0).
        Assert.Throws<ArgumentException>(() => BleuScorer.CorpusScore(["a", "b"], [["a", null]]));
        Assert.Throws<ArgumentException>(() => ChrfScorer.CorpusScore(["a", "b"], [["a", null], ["b", null]]));
        BleuScorer.CorpusScore(["a", "b"], [["a", ""]]);
        ChrfScorer.CorpusScore(["a", "b"], [["a", ""]]);
    }

    [Fact]
    public void NullHypothesisIsRefused() =>
        Assert.Throws<ArgumentException>(() => BleuScorer.CorpusScore([null!], [["a"]]));

    [Fact]
    public void NullArgumentsAreRefused()
    {
        Assert.Throws<ArgumentNullException>(() => BleuScorer.CorpusScore(null!, [["a"]]));
        Assert.Throws<ArgumentNullException>(() => ChrfScorer.CorpusScore(["a"], null!));
    }

    [Fact]
    public void EmptyHypothesisIsALegalSegment()
    {
        Assert.Equal(0, BleuScorer.Prepare(["", "a b"], [["x", "a b"]]).GetSegmentStatistics(0).SysLen);
        Assert.Equal(0.0, ChrfScorer.SentenceScore("", ["x"]).Score);
    }

    [Fact]
    public void InvalidChrfOrdersAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ChrfScorer.CorpusScore(["a"], [["a"]], new ChrfOptions { CharOrder = 7 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChrfScorer.CorpusScore(["a"], [["a"]], new ChrfOptions { WordOrder = 4 }));
    }
}
