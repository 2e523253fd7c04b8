using System.Text.Json;
using LlmTrack.Metrics.Chrf;
using static LlmTrack.Metrics.Tests.Bleu.SacreBleuTestData;

namespace LlmTrack.Metrics.Tests.Chrf;

public class ChrfReferenceVectorTests
{
    public static TheoryData<int> CorpusCases()
    {
        var data = new TheoryData<int>();
        int count = CorpusExpected.GetProperty("chrf").GetArrayLength();
        for (int i = 0; i < count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CorpusCases))]
    public void CorpusChrfEqualsSacreBleu(int index)
    {
        JsonElement expected = CorpusExpected.GetProperty("chrf")[index];
        JsonElement o = expected.GetProperty("options");
        var options = new ChrfOptions
        {
            WordOrder = o.TryGetProperty("word_order", out JsonElement w) ? w.GetInt32() : 0,
            Lowercase = o.TryGetProperty("lowercase", out JsonElement l) && l.GetBoolean(),
            Whitespace = o.TryGetProperty("whitespace", out JsonElement s) && s.GetBoolean(),
            EpsSmoothing = o.TryGetProperty("eps_smoothing", out JsonElement e) && e.GetBoolean(),
            Beta = o.TryGetProperty("beta", out JsonElement b) ? b.GetInt32() : 2,
        };

        ChrfResult result = ChrfScorer.CorpusScore(Hypotheses, References, options);

        AssertClose(expected.GetProperty("score").GetDouble(), result.Score);
        Assert.Equal(expected.GetProperty("signature").GetString(), result.Signature);
        Assert.Equal(expected.GetProperty("metric_name").GetString(), result.Name);
        Assert.Equal(expected.GetProperty("formatted").GetString(), result.Format());
    }

    [Fact]
    public void SentenceChrfEqualsSacreBleu()
    {
        string[] hypotheses = Hypotheses;
        string[][] references = References;
        ChrfCorpus chrf = ChrfScorer.Prepare(hypotheses, references);
        ChrfCorpus chrfPlusPlus = ChrfScorer.Prepare(hypotheses, references, ChrfOptions.ChrfPlusPlus);
        foreach (JsonElement segment in SentenceExpected.GetProperty("segments").EnumerateArray())
        {
            int i = segment.GetProperty("index").GetInt32();
            string[] refs = references.Select(stream => stream[i]).ToArray();
            double expectedChrf = segment.GetProperty("sentence_chrF2").GetDouble();
            double expectedChrfPlusPlus = segment.GetProperty("sentence_chrF2++").GetDouble();
            AssertClose(expectedChrf, ChrfScorer.SentenceScore(hypotheses[i], refs).Score);
            AssertClose(expectedChrfPlusPlus, ChrfScorer.SentenceScore(hypotheses[i], refs, ChrfOptions.ChrfPlusPlus).Score);
            AssertClose(expectedChrf, chrf.SegmentScore(i).Score);
            AssertClose(expectedChrfPlusPlus, chrfPlusPlus.SegmentScore(i).Score);
        }
    }
}
