using LlmTrack.Metrics.Bleu;
using LlmTrack.Metrics.Chrf;
using LlmTrack.Metrics.Ter;

namespace LlmTrack.Metrics.Tests.EmptyReferences;

/// <summary>
/// sacreBLEU 2.6.0's rule for references: <c>Metric._cache_references</c> removes only <c>None</c>
/// (<c>[x for x in refs if x is not None]</c>) and counts the rest in <c>num_refs</c>, so an empty
/// string is an empty reference segment. Expected values follow from 2.6.0's
/// <c>BLEU._extract_reference_info</c> / <c>_get_closest_ref_len</c> / <c>compute_bleu</c>,
/// <c>CHRF._get_match_statistics</c> / <c>_compute_f_score</c> and <c>TER._compute_score_from_stats</c>
/// / <c>translation_edit_rate</c> (see PROVENANCE.md). The corpus is the README example of sacreBLEU's
/// test_bleu.py.
/// </summary>
public class EmptyReferenceTests
{
    private static readonly string[] Hyps =
    [
        "The dog bit the man.",
        "It wasn't surprising.",
        "The man had just bitten him.",
    ];

    private static readonly string[][] Refs =
    [
        ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
        ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
    ];

    [Fact]
    public void EmptyReferenceStreamCountsInNrefsAndLeavesBleuUnchanged()
    {
        // The empty stream adds no n-grams and is never the closest length here (hyp lengths 6, 4, 7).
        BleuResult result = BleuScorer.CorpusScore(Hyps, [Refs[0], Refs[1], ["", "", ""]]);
        Assert.Equal("nrefs:3|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0", result.Signature);
        Assert.Equal(48.530827, result.Score, 1e-6);
        Assert.Equal(BleuScorer.CorpusScore(Hyps, Refs).Score, result.Score);
        Assert.Equal(18, result.RefLen); // 6 + 5 + 7
    }

    [Fact]
    public void OneEmptyReferenceLineKeepsAFixedReferenceCount()
    {
        string[] third = ["The dog bit the man.", "", "The man had bitten him."];
        BleuCorpus corpus = BleuScorer.Prepare(Hyps, [Refs[0], Refs[1], third]);
        Assert.StartsWith("nrefs:3|", corpus.Signature, StringComparison.Ordinal);
        Assert.StartsWith("nrefs:3|", ChrfScorer.Prepare(Hyps, [Refs[0], Refs[1], third]).Signature, StringComparison.Ordinal);
        Assert.StartsWith("nrefs:3|", new TerScorer().ComputeStatistics(Hyps, [Refs[0], Refs[1], third]).Signature, StringComparison.Ordinal);

        // A null in its place is a missing reference: nrefs:var.
        string?[] missing = ["The dog bit the man.", null, "The man had bitten him."];
        Assert.StartsWith("nrefs:var|", BleuScorer.Prepare(Hyps, [Refs[0], Refs[1], missing]).Signature, StringComparison.Ordinal);
    }

    [Fact]
    public void OnlyReferenceEmptyScoresZeroWithRefLenZero()
    {
        BleuResult result = BleuScorer.CorpusScore(["a b"], [[""]]);
        Assert.Equal(0.0, result.Score);
        Assert.Equal(0, result.RefLen);
        Assert.Equal(2, result.SysLen);
        Assert.Equal(1.0, result.BrevityPenalty);
        Assert.Equal(0.0, result.Ratio);
        Assert.Equal([2.0, 1.0, 0.0, 0.0], result.Totals);
        Assert.Equal("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0", result.Signature);
    }

    [Fact]
    public void EmptyReferenceCanBeTheClosestLength()
    {
        // hyp_len 1 against reference lengths 6 and 0: diffs 5 and 1, so ref_len = 0 and BP = 1.
        BleuSegmentStatistics stats = BleuScorer.Prepare(["the"], [["the cat sat on the mat"], [""]]).GetSegmentStatistics(0);
        Assert.Equal(1, stats.SysLen);
        Assert.Equal(0, stats.RefLen);
        Assert.Equal([1, 0, 0, 0], stats.Correct);

        // Sentence BLEU (effective order): one order of precision 100%, BP 1 -> 100.
        Assert.Equal(100.0, BleuScorer.SentenceScore("the", ["the cat sat on the mat", ""]).Score, 1e-12);

        // Without the empty reference: ref_len 6, BP = exp(1 - 6).
        Assert.Equal(100.0 * Math.Exp(-5.0), BleuScorer.SentenceScore("the", ["the cat sat on the mat"]).Score, 1e-12);

        // Equal distance (hyp_len 1 against lengths 2 and 0): the shorter length wins.
        Assert.Equal(0, BleuScorer.Prepare(["x"], [["a b"], [""]]).GetSegmentStatistics(0).RefLen);
    }

    [Fact]
    public void EmptyHypothesisAndEmptyReference()
    {
        BleuResult result = BleuScorer.CorpusScore([""], [[""]]);
        Assert.Equal(0.0, result.Score);
        Assert.Equal(0, result.SysLen);
        Assert.Equal(0, result.RefLen);
        Assert.Equal(1.0, result.BrevityPenalty);
    }

    [Fact]
    public void ChrfEmptyReferenceHasNoNgramsAndWinsTiesWhenFirst()
    {
        // Segment 0: the empty reference gives f = 0, and so does "xyz"; sacreBLEU keeps the first
        // reference with f > best (best starts at -1), i.e. the empty one with all-zero statistics.
        // Segment 1 matches exactly. Corpus chrF is then 100; dropping the empty reference would
        // give the statistics of "xyz" for segment 0 and a lower score.
        var corpus = ChrfScorer.Prepare(["abc", "abc"], [["", "abc"], ["xyz", "abc"]]);
        Assert.Equal(new int[18], corpus.GetSegmentStatistics(0).ToArray());
        Assert.Equal(100.0, corpus.Corpus().Score, 1e-12);
        Assert.StartsWith("nrefs:2|", corpus.Signature, StringComparison.Ordinal);

        var dropped = ChrfScorer.Prepare(["abc", "abc"], [["xyz", "abc"], ["xyz", "abc"]]);
        Assert.True(dropped.Corpus().Score < 100.0);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void ChrfAgainstOnlyAnEmptyReference(bool whitespace, bool eps)
    {
        // Every order has n_hyp = 0 (hits are not counted without reference n-grams), n_ref = 0:
        // with eps smoothing each order adds (1 + 4) * eps * eps / (4 * eps + eps); else 0.
        var options = new ChrfOptions { Whitespace = whitespace, EpsSmoothing = eps };
        ChrfResult result = ChrfScorer.CorpusScore(["a b c"], [[""]], options);
        const double Eps = 1e-16;
        double perOrder = (1 + 4.0) * Eps * Eps / ((4.0 * Eps) + Eps);
        double sum = 0.0;
        for (int i = 0; i < 6; i++)
        {
            sum += perOrder;
        }

        Assert.Equal(eps ? 100 * sum / 6 : 0.0, result.Score);
    }

    [Fact]
    public void TerAgainstEmptyReferences()
    {
        var metric = new TerScorer();

        // Empty reference(s), non-empty hypothesis: 100; both empty: 0 (TER._compute_score_from_stats).
        TerScore score = metric.CorpusScore(["a b c"], [[""]]);
        Assert.Equal(100.0, score.Score);
        Assert.Equal(3, score.NumEdits);
        Assert.Equal(0.0, score.RefLength);
        Assert.Equal(0.0, metric.CorpusScore([""], [[""]]).Score);
        Assert.Equal(100.0, metric.SentenceScore("a", [""]).Score);

        // With another reference: the fewest edits count, the lengths (3 and 0) are averaged.
        TerScore both = metric.CorpusScore(["a b c"], [["a b c"], [""]]);
        Assert.Equal(0.0, both.NumEdits);
        Assert.Equal(1.5, both.RefLength);
        Assert.Equal(0.0, both.Score);
    }
}
