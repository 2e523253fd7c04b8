using System.Text.Json;
using LlmTrack.Metrics.Ter;

namespace LlmTrack.Metrics.Tests.Ter;

public class TerReferenceVectorTests
{
    public static TheoryData<string> CorpusVariants()
    {
        var data = new TheoryData<string>();
        using var doc = TerTestData.Load("sacrebleu_ter_corpus_small_expected.json");
        foreach (var entry in doc.RootElement.GetProperty("corpora").GetProperty("corpus_small").GetProperty("ter").EnumerateArray())
        {
            data.Add(entry.GetProperty("name").GetString()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CorpusVariants))]
    public void CorpusScoreMatchesSacreBleu(string variant)
    {
        using var doc = TerTestData.Load("sacrebleu_ter_corpus_small_expected.json");
        var expected = doc.RootElement.GetProperty("corpora").GetProperty("corpus_small").GetProperty("ter")
            .EnumerateArray().Single(e => e.GetProperty("name").GetString() == variant);
        var options = ParseOptions(expected.GetProperty("options"));
        var (hyps, refs) = TerTestData.LoadCorpusSmall();

        var score = new TerScorer(options).CorpusScore(hyps, refs);

        Assert.Equal(expected.GetProperty("num_edits").GetInt64(), score.NumEdits);
        Assert.Equal(expected.GetProperty("ref_length").GetDouble(), score.RefLength);
        TerTestData.AssertClose(expected.GetProperty("score").GetDouble(), score.Score);
        Assert.Equal(expected.GetProperty("signature").GetString(), score.Signature);
        Assert.Equal(expected.GetProperty("formatted").GetString(), score.Format());
    }

    [Fact]
    public void SentenceScoresMatchSacreBleu()
    {
        using var doc = TerTestData.Load("sacrebleu_ter_sentence_level_small.json");
        var (hyps, refs) = TerTestData.LoadCorpusSmall();
        var lowercased = new TerScorer();
        var cased = new TerScorer(new TerOptions { CaseSensitive = true });

        foreach (var segment in doc.RootElement.GetProperty("segments").EnumerateArray())
        {
            var i = segment.GetProperty("index").GetInt32();
            AssertSentence(segment.GetProperty("sentence_TER"), lowercased.SentenceScore(hyps[i], [refs[0][i]]), i);
            AssertSentence(segment.GetProperty("sentence_TER_case_sensitive"), cased.SentenceScore(hyps[i], [refs[0][i]]), i);
        }
    }

    [Fact]
    public void SegmentStatisticsSumToCorpusScoreAndMatchSentenceScores()
    {
        using var doc = TerTestData.Load("sacrebleu_ter_sentence_level_small.json");
        var (hyps, refs) = TerTestData.LoadCorpusSmall();
        var stats = new TerScorer().ComputeStatistics(hyps, refs);

        var segments = doc.RootElement.GetProperty("segments").EnumerateArray().ToArray();
        Assert.Equal(segments.Length, stats.Segments.Count);
        for (var i = 0; i < segments.Length; i++)
        {
            var expected = segments[i].GetProperty("sentence_TER");
            Assert.Equal(expected.GetProperty("num_edits").GetInt32(), stats.Segments[i].NumEdits);
            Assert.Equal(expected.GetProperty("ref_length").GetDouble(), stats.Segments[i].RefLength);
        }

        var all = Enumerable.Range(0, hyps.Length).ToArray();
        var scorer = stats.CreateSampleScorer();
        TerTestData.AssertClose(28.305785123966942, scorer(all));
        Assert.Equal(stats.ToScore(), stats.ScoreSample(all));
    }

    private static void AssertSentence(JsonElement expected, TerScore actual, int index)
    {
        Assert.True(expected.GetProperty("num_edits").GetInt64() == actual.NumEdits, $"segment {index}: edits {actual.NumEdits}");
        Assert.Equal(expected.GetProperty("ref_length").GetDouble(), actual.RefLength);
        TerTestData.AssertClose(expected.GetProperty("score").GetDouble(), actual.Score);
    }

    private static TerOptions ParseOptions(JsonElement options)
    {
        bool Flag(string name) => options.TryGetProperty(name, out var v) && v.GetBoolean();
        return new TerOptions
        {
            Normalized = Flag("normalized"),
            NoPunctuation = Flag("no_punct"),
            AsianSupport = Flag("asian_support"),
            CaseSensitive = Flag("case_sensitive"),
        };
    }
}
