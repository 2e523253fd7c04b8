using System.Text.Json;
using LlmTrack.Metrics.Bleu;
using static LlmTrack.Metrics.Tests.Bleu.SacreBleuTestData;

namespace LlmTrack.Metrics.Tests.Bleu;

public class BleuReferenceVectorTests
{
    public static TheoryData<int> CorpusCases()
    {
        var data = new TheoryData<int>();
        int count = CorpusExpected.GetProperty("bleu").GetArrayLength();
        for (int i = 0; i < count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    public static TheoryData<int> Segments()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < 50; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CorpusCases))]
    public void CorpusBleuEqualsSacreBleu(int index)
    {
        JsonElement expected = CorpusExpected.GetProperty("bleu")[index];
        JsonElement smoothValue = expected.GetProperty("smooth_value");
        var options = new BleuOptions
        {
            Tokenizer = BleuOptions.ParseTokenizer(expected.GetProperty("tokenize").GetString()!),
            Smoothing = BleuOptions.ParseSmoothing(expected.GetProperty("smooth_method").GetString()!),
            SmoothValue = smoothValue.ValueKind == JsonValueKind.Null ? null : smoothValue.GetDouble(),
            Lowercase = expected.GetProperty("lowercase").GetBoolean(),
        };

        BleuResult result = BleuScorer.CorpusScore(Hypotheses, References, options);

        AssertBleu(expected, result);
        Assert.Equal(expected.GetProperty("signature").GetString(), result.Signature);
        Assert.Equal(expected.GetProperty("formatted").GetString(), result.Format());
        Assert.Equal(expected.GetProperty("formatted").GetString(), result.ToString());
    }

    [Fact]
    public void SegmentStatisticsEqualSacreBleu()
    {
        BleuCorpus corpus = BleuScorer.Prepare(Hypotheses, References);
        JsonElement expected = CorpusExpected.GetProperty("segment_stats_13a");
        Assert.Equal(expected.GetArrayLength(), corpus.SegmentCount);
        for (int i = 0; i < corpus.SegmentCount; i++)
        {
            BleuSegmentStatistics stats = corpus.GetSegmentStatistics(i);
            JsonElement row = expected[i];
            Assert.Equal(row.GetProperty("sys_len").GetInt32(), stats.SysLen);
            Assert.Equal(row.GetProperty("ref_len").GetInt32(), stats.RefLen);
            Assert.Equal(row.GetProperty("correct").EnumerateArray().Select(e => e.GetInt32()), stats.Correct);
            Assert.Equal(row.GetProperty("total").EnumerateArray().Select(e => e.GetInt32()), stats.Total);
        }
    }

    [Theory]
    [MemberData(nameof(Segments))]
    public void SentenceBleuEqualsSacreBleu(int index)
    {
        JsonElement segment = SentenceExpected.GetProperty("segments")[index];
        Assert.Equal(index, segment.GetProperty("index").GetInt32());
        string hypothesis = Hypotheses[index];
        string[] references = References.Select(stream => stream[index]).ToArray();

        BleuResult result = BleuScorer.SentenceScore(hypothesis, references);
        JsonElement expected = segment.GetProperty("sentence_bleu");
        AssertBleu(expected, result);
        SacreBleuTestData.AssertClose(expected.GetProperty("ratio").GetDouble(), result.Ratio);
        Assert.Equal(expected.GetProperty("formatted").GetString(), result.Format());
        Assert.Equal(SentenceExpected.GetProperty("meta").GetProperty("sentence_bleu_signature").GetString(), result.Signature);

        foreach ((string key, BleuSmoothing smoothing) in new[]
        {
            ("sentence_bleu_eff_exp", BleuSmoothing.Exponential),
            ("sentence_bleu_eff_floor", BleuSmoothing.Floor),
            ("sentence_bleu_eff_add-k", BleuSmoothing.AddK),
            ("sentence_bleu_eff_none", BleuSmoothing.None),
        })
        {
            JsonElement variant = segment.GetProperty(key);
            BleuResult scored = BleuScorer.SentenceScore(hypothesis, references, new BleuOptions { Smoothing = smoothing, EffectiveOrder = true });
            AssertBleu(variant, scored);
            Assert.Equal(variant.GetProperty("signature").GetString(), scored.Signature);
        }
    }

    [Fact]
    public void SegmentScoreOfPreparedCorpusEqualsSentenceBleu()
    {
        BleuCorpus corpus = BleuScorer.Prepare(Hypotheses, References, new BleuOptions { EffectiveOrder = true });
        JsonElement segments = SentenceExpected.GetProperty("segments");
        for (int i = 0; i < corpus.SegmentCount; i++)
        {
            SacreBleuTestData.AssertClose(segments[i].GetProperty("sentence_bleu").GetProperty("score").GetDouble(), corpus.SegmentScore(i).Score);
        }
    }

    internal static void AssertBleu(JsonElement expected, BleuResult result)
    {
        SacreBleuTestData.AssertClose(expected.GetProperty("score").GetDouble(), result.Score);
        SacreBleuTestData.AssertClose(expected.GetProperty("bp").GetDouble(), result.BrevityPenalty);
        double[] precisions = Doubles(expected.GetProperty("precisions"));
        Assert.Equal(precisions.Length, result.Precisions.Count);
        for (int n = 0; n < precisions.Length; n++)
        {
            SacreBleuTestData.AssertClose(precisions[n], result.Precisions[n]);
        }

        Assert.Equal(expected.GetProperty("sys_len").GetInt64(), result.SysLen);
        Assert.Equal(expected.GetProperty("ref_len").GetInt64(), result.RefLen);
        Assert.Equal(Doubles(expected.GetProperty("counts")), result.Counts);
        Assert.Equal(Doubles(expected.GetProperty("totals")), result.Totals);
        if (expected.TryGetProperty("ratio", out JsonElement ratio))
        {
            SacreBleuTestData.AssertClose(ratio.GetDouble(), result.Ratio);
        }
    }
}
