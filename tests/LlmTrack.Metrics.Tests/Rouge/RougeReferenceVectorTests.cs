using System.Text.Json;
using LlmTrack.Metrics.Rouge;

namespace LlmTrack.Metrics.Tests.Rouge;

public class RougeReferenceVectorTests
{
    private static readonly string[] SharedTypes = ["rouge1", "rouge2", "rougeL", "rougeLsum"];
    private static readonly string[] ExtraTypes = ["rouge1", "rouge2", "rouge3", "rouge4", "rougeL", "rougeLsum"];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MatchesRougeScoreOnTheSharedVectors(bool useStemmer)
    {
        using var doc = RougeTestData.Load("rouge_expected.json");
        var scorer = new RougeScorer(SharedTypes, useStemmer);
        var key = useStemmer ? "use_stemmer_true" : "use_stemmer_false";
        var checkedPairs = 0;
        foreach (var item in doc.RootElement.GetProperty("corpus_small_first25").EnumerateArray())
        {
            var target = item.GetProperty("target").GetString()!;
            var prediction = item.GetProperty("prediction").GetString()!;
            var expected = item.GetProperty(key);
            var result = scorer.Score(target, prediction);
            foreach (var name in SharedTypes)
            {
                RougeTestData.AssertScore(expected.GetProperty(name), result[RougeType.Parse(name)], $"pair {item.GetProperty("index")} {name}");
            }

            Assert.Equal(Strings(expected.GetProperty("tokens_target")), RougeTokenizer.Tokenize(target, useStemmer));
            Assert.Equal(Strings(expected.GetProperty("tokens_prediction")), RougeTokenizer.Tokenize(prediction, useStemmer));
            checkedPairs++;
        }

        Assert.Equal(25, checkedPairs);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CorpusScoringGivesTheSameSegmentScoresAsPairScoring(bool useStemmer)
    {
        using var doc = RougeTestData.Load("rouge_expected.json");
        var items = doc.RootElement.GetProperty("corpus_small_first25").EnumerateArray().ToArray();
        var predictions = items.Select(i => i.GetProperty("prediction").GetString()!).ToArray();
        var references = items.Select(i => i.GetProperty("target").GetString()!).ToArray();
        var key = useStemmer ? "use_stemmer_true" : "use_stemmer_false";

        var corpus = new RougeScorer(SharedTypes, useStemmer).CorpusScore(predictions, references);

        Assert.Equal(25, corpus.SegmentCount);
        foreach (var name in SharedTypes)
        {
            var type = RougeType.Parse(name);
            var segments = corpus.SegmentScores(type);
            for (var i = 0; i < items.Length; i++)
            {
                RougeTestData.AssertScore(items[i].GetProperty(key).GetProperty(name), segments[i], $"segment {i} {name}");
            }

            var expectedMeanF = items.Select(i => i.GetProperty(key).GetProperty(name).GetProperty("fmeasure").GetDouble()).Average();
            Assert.True(Math.Abs(expectedMeanF - corpus.Mean(type).FMeasure) <= 1e-12 * expectedMeanF, name);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MatchesRougeScoreOnEdgeCasesAndRandomMultiLineTexts(bool useStemmer)
    {
        using var doc = RougeTestData.Load("rouge_extra_expected.json");
        var scorer = new RougeScorer(ExtraTypes, useStemmer);
        var key = useStemmer ? "use_stemmer_true" : "use_stemmer_false";
        var index = 0;
        foreach (var item in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var result = scorer.Score(item.GetProperty("target").GetString()!, item.GetProperty("prediction").GetString()!);
            foreach (var name in ExtraTypes)
            {
                RougeTestData.AssertScore(item.GetProperty(key).GetProperty(name), result[RougeType.Parse(name)], $"case {index} {name}");
            }

            index++;
        }

        Assert.True(index >= 80);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MatchesScoreMultiAndItsCorpusMeans(bool useStemmer)
    {
        using var doc = RougeTestData.Load("rouge_extra_expected.json");
        var scorer = new RougeScorer(ExtraTypes, useStemmer);
        var key = useStemmer ? "use_stemmer_true" : "use_stemmer_false";
        var multi = doc.RootElement.GetProperty("multi").EnumerateArray().ToArray();
        var predictions = new List<string>();
        var references = new List<IReadOnlyList<string>>();
        for (var i = 0; i < multi.Length; i++)
        {
            var targets = Strings(multi[i].GetProperty("targets"));
            var prediction = multi[i].GetProperty("prediction").GetString()!;
            predictions.Add(prediction);
            references.Add(targets);
            var result = scorer.ScoreMulti(targets, prediction);
            foreach (var name in ExtraTypes)
            {
                RougeTestData.AssertScore(multi[i].GetProperty(key).GetProperty(name), result[RougeType.Parse(name)], $"multi {i} {name}");
            }
        }

        var corpus = scorer.CorpusScore(predictions, references);
        var means = doc.RootElement.GetProperty("multi_corpus_means").GetProperty(useStemmer ? "true" : "false");
        foreach (var name in ExtraTypes)
        {
            var type = RougeType.Parse(name);
            RougeTestData.AssertScore(means.GetProperty(name), corpus.Mean(type), $"corpus mean {name}");
            for (var i = 0; i < multi.Length; i++)
            {
                RougeTestData.AssertScore(multi[i].GetProperty(key).GetProperty(name), corpus.SegmentScores(type)[i], $"corpus segment {i} {name}");
            }
        }
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
