using System.Text.Json;
using LlmTrack.Metrics.QuestionAnswering;

namespace LlmTrack.Metrics.Tests.QuestionAnswering;

public class SquadReferenceTests
{
    private static readonly JsonElement Data = ReferenceData.Load("squad_vectors.json");

    private static string[] Golds(JsonElement e) => e.GetProperty("gold_answers").EnumerateArray().Select(x => x.GetString()!).ToArray();

    [Fact]
    public void PairsMatchOfficialScripts()
    {
        var examples = new List<SquadExample>();
        double emSum = 0, f1Sum = 0;
        foreach (var pair in Data.GetProperty("pairs").EnumerateArray())
        {
            var prediction = pair.GetProperty("prediction").GetString()!;
            var golds = Golds(pair);
            var id = pair.GetProperty("id").GetString();
            var normalized = pair.GetProperty("v1_normalized");
            Assert.Equal(normalized.GetProperty("prediction").GetString(), SquadText.NormalizeAnswer(prediction));
            Assert.Equal(normalized.GetProperty("gold_answers").EnumerateArray().Select(x => x.GetString()), golds.Select(SquadText.NormalizeAnswer));

            var v1 = SquadMetrics.ScoreV1(prediction, golds);
            Assert.Equal(pair.GetProperty("v1").GetProperty("exact_match").GetBoolean() ? 1.0 : 0.0, v1.ExactMatch);
            ReferenceData.AssertClose(pair.GetProperty("v1").GetProperty("f1").GetDouble(), v1.F1, $"v1 f1 {id}");

            var v2 = SquadMetrics.ScoreV2(prediction, golds);
            Assert.Equal(pair.GetProperty("v2").GetProperty("exact").GetInt32(), v2.ExactMatch);
            ReferenceData.AssertClose(pair.GetProperty("v2").GetProperty("f1").GetDouble(), v2.F1, $"v2 f1 {id}");

            examples.Add(new SquadExample(prediction, golds));
            emSum += v1.ExactMatch;
            f1Sum += v1.F1;
        }

        var corpus = SquadMetrics.EvaluateV1(examples);
        Assert.Equal(examples.Count, corpus.Total);
        Assert.Equal(100.0 * emSum / examples.Count, corpus.ExactMatch);
        Assert.Equal(100.0 * f1Sum / examples.Count, corpus.F1);
    }

    [Theory]
    [InlineData(1.0, "v2_after_threshold_1.0")]
    [InlineData(0.5, "v2_after_threshold_0.5")]
    public void V2ItemsMatchOfficialScriptWithThreshold(double threshold, string key)
    {
        var items = Data.GetProperty("v2_items").EnumerateArray().ToArray();
        var examples = items.Select(i => new SquadExample(i.GetProperty("prediction").GetString()!, Golds(i), i.GetProperty("no_answer_probability").GetDouble())).ToArray();
        var result = SquadMetrics.EvaluateV2(examples, threshold);
        double em = 0, f1 = 0;
        for (var k = 0; k < items.Length; k++)
        {
            var raw = items[k].GetProperty("v2_raw");
            Assert.Equal(raw.GetProperty("exact").GetDouble(), result.RawExamples[k].ExactMatch);
            ReferenceData.AssertClose(raw.GetProperty("f1").GetDouble(), result.RawExamples[k].F1, $"raw {k}");
            var after = items[k].GetProperty(key);
            Assert.Equal(after.GetProperty("exact").GetDouble(), result.Examples[k].ExactMatch);
            ReferenceData.AssertClose(after.GetProperty("f1").GetDouble(), result.Examples[k].F1, $"{key} {k}");
            em += after.GetProperty("exact").GetDouble();
            f1 += after.GetProperty("f1").GetDouble();
        }

        Assert.Equal(items.Length, result.Total);
        Assert.Equal(100.0 * em / items.Length, result.Exact);
        Assert.Equal(100.0 * f1 / items.Length, result.F1);
        Assert.NotNull(result.HasAnswer);
        Assert.Equal(items.Length, result.HasAnswer!.Total);
        Assert.Null(result.NoAnswer);
    }
}
