using LlmTrack.Metrics.Bleu;
using LlmTrack.Metrics.Chrf;
using static LlmTrack.Metrics.Tests.Bleu.SacreBleuTestData;

namespace LlmTrack.Metrics.Tests.Bleu;

public class SampleScorerTests
{
    [Fact]
    public void BleuSampleOfAllSegmentsIsTheCorpusScore()
    {
        BleuCorpus corpus = BleuScorer.Prepare(Hypotheses, References);
        SampleScorer scorer = corpus.CreateSampleScorer();
        int[] all = Enumerable.Range(0, corpus.SegmentCount).ToArray();
        Assert.Equal(corpus.Corpus().Score, scorer(all));
    }

    [Fact]
    public void BleuResampleEqualsScoringTheResampledText()
    {
        string[] hyps = Hypotheses;
        string[][] refs = References;
        int[] sample = [3, 3, 0, 49, 17, 17, 17, 2, 25, 40, 41];
        BleuCorpus corpus = BleuScorer.Prepare(hyps, refs);

        BleuResult direct = BleuScorer.CorpusScore(sample.Select(i => hyps[i]).ToArray(), [sample.Select(i => refs[0][i]).ToArray()]);
        Assert.Equal(direct.Score, corpus.CreateSampleScorer()(sample));
        Assert.Equal(direct.Format(), corpus.Score(sample).Format());
    }

    [Fact]
    public void ChrfResampleEqualsScoringTheResampledText()
    {
        string[] hyps = Hypotheses;
        string[][] refs = References;
        int[] sample = [1, 1, 1, 5, 30, 44, 44, 2];
        ChrfCorpus corpus = ChrfScorer.Prepare(hyps, refs, ChrfOptions.ChrfPlusPlus);
        ChrfResult direct = ChrfScorer.CorpusScore(sample.Select(i => hyps[i]).ToArray(), [sample.Select(i => refs[0][i]).ToArray()], ChrfOptions.ChrfPlusPlus);
        Assert.Equal(direct.Score, corpus.CreateSampleScorer()(sample));
        Assert.Equal(corpus.Corpus().Score, corpus.CreateSampleScorer()(Enumerable.Range(0, corpus.SegmentCount).ToArray()));
    }

    [Fact]
    public void OutOfRangeIndexIsRefused()
    {
        BleuCorpus corpus = BleuScorer.Prepare(["a"], [["a"]]);
        Assert.Throws<ArgumentOutOfRangeException>(() => corpus.CreateSampleScorer()([1]));
    }
}
