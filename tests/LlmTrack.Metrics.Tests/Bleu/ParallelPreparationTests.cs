using LlmTrack.Metrics.Bleu;
using static LlmTrack.Metrics.Tests.Bleu.SacreBleuTestData;

namespace LlmTrack.Metrics.Tests.Bleu;

/// <summary>A corpus large enough to be counted on several threads gives the statistics of the one-thread path.</summary>
public class ParallelPreparationTests
{
    [Theory]
    [InlineData(BleuTokenizer.Mteval13a)]
    [InlineData(BleuTokenizer.International)]
    [InlineData(BleuTokenizer.Character)]
    public void LargeCorpusHasTheStatisticsOfItsSegments(BleuTokenizer tokenizer)
    {
        string[] hyp = Lines("hyp.opus-2021-02-18.por");
        string[] reference = Lines("por_Latn.devtest");
        const int Copies = 4; // 4,048 segments: above the parallel threshold
        string[] hyps = Enumerable.Range(0, Copies).SelectMany(_ => hyp).ToArray();
        string[] refs = Enumerable.Range(0, Copies).SelectMany(_ => reference).ToArray();
        var options = new BleuOptions { Tokenizer = tokenizer };
        BleuCorpus small = BleuScorer.Prepare(hyp, [reference], options);
        BleuCorpus large = BleuScorer.Prepare(hyps, [refs], options);
        for (int i = 0; i < hyps.Length; i++)
        {
            var expected = small.GetSegmentStatistics(i % hyp.Length);
            var actual = large.GetSegmentStatistics(i);
            Assert.Equal(expected.SysLen, actual.SysLen);
            Assert.Equal(expected.RefLen, actual.RefLen);
            Assert.Equal(expected.Correct, actual.Correct);
            Assert.Equal(expected.Total, actual.Total);
        }

        Assert.Equal(small.Corpus().Score, large.Corpus().Score, 12);
        Assert.Equal(Copies * small.Corpus().SysLen, large.Corpus().SysLen);
    }
}
