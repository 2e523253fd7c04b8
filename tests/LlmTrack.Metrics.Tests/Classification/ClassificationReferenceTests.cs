using System.Text.Json;
using LlmTrack.Metrics.Classification;

namespace LlmTrack.Metrics.Tests.Classification;

public class ClassificationReferenceTests
{
    private static readonly JsonElement Data = ReferenceData.Load("classification_expected.json");

    public static TheoryData<string> CaseNames()
    {
        var names = new TheoryData<string>();
        foreach (var c in Data.GetProperty("cases").EnumerateObject())
        {
            names.Add(c.Name);
        }

        return names;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void MatchesScikitLearn(string caseName)
    {
        var c = Data.GetProperty("cases").GetProperty(caseName);
        var isString = c.GetProperty("y_true")[0].ValueKind == JsonValueKind.String;
        var checkedCount = isString
            ? Check(c, e => e.GetString()!)
            : Check(c, e => e.GetInt32());
        Assert.True(checkedCount > 40, $"only {checkedCount} results checked");
    }

    private static int Check<T>(JsonElement c, Func<JsonElement, T> read)
        where T : notnull
    {
        var yTrue = c.GetProperty("y_true").EnumerateArray().Select(read).ToArray();
        var yPred = c.GetProperty("y_pred").EnumerateArray().Select(read).ToArray();
        var labels = c.GetProperty("labels").EnumerateArray().Select(read).ToArray();
        var count = 0;
        foreach (var r in c.GetProperty("results").EnumerateArray())
        {
            var metric = r.GetProperty("metric").GetString()!;
            var p = r.GetProperty("params");
            if (r.TryGetProperty("error", out _))
            {
                var message = r.GetProperty("message").GetString()!;
                var zdError = p.GetProperty("zero_division").ValueKind == JsonValueKind.String ? ZeroDivision.Warn : ZeroDivision.Zero;
                var ex = Assert.Throws<ArgumentException>(() => ClassificationMetrics.F1Score<T>(yTrue, yPred, Average.Binary, new ClassificationOptions<T> { ZeroDivision = zdError }));
                Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
                count++;
                continue;
            }

            var value = r.GetProperty("value");
            var expectedWarnings = r.TryGetProperty("warnings", out var w)
                ? w.EnumerateArray().Select(x => x.GetString()!).ToArray()
                : [];
            var ctx = $"{metric} {p}";
            switch (metric)
            {
                case "accuracy_score":
                    if (p.TryGetProperty("normalize", out _))
                    {
                        Assert.Equal(value.GetInt64(), ClassificationMetrics.CorrectCount<T>(yTrue, yPred));
                    }
                    else
                    {
                        ReferenceData.AssertClose(value.GetDouble(), ClassificationMetrics.Accuracy<T>(yTrue, yPred), ctx);
                    }

                    break;
                case "balanced_accuracy_score":
                    var adjusted = p.TryGetProperty("adjusted", out var adj) && adj.GetBoolean();
                    var ba = ClassificationMetrics.BalancedAccuracy<T>(yTrue, yPred, adjusted);
                    ReferenceData.AssertClose(value.GetDouble(), ba.Value, ctx);
                    Assert.Equal(expectedWarnings, ba.Warnings);
                    break;
                case "precision_score" or "recall_score" or "f1_score" or "fbeta_score":
                    CheckPrf(metric, p, value, expectedWarnings, yTrue, yPred, read, labels, ctx);
                    break;
                case "precision_recall_fscore_support":
                    var report = ClassificationMetrics.Report<T>(yTrue, yPred);
                    Assert.Equal(labels, report.Labels);
                    AssertArray(value[0], report.Precision, ctx);
                    AssertArray(value[1], report.Recall, ctx);
                    AssertArray(value[2], report.FScore, ctx);
                    Assert.Equal(value[3].EnumerateArray().Select(x => x.GetInt64()), report.Support);
                    Assert.Equal(expectedWarnings, report.Warnings);
                    break;
                case "confusion_matrix":
                    var cm = ClassificationMetrics.ConfusionMatrix<T>(yTrue, yPred);
                    Assert.Equal(labels, cm.Labels);
                    for (var i = 0; i < cm.Size; i++)
                    {
                        for (var j = 0; j < cm.Size; j++)
                        {
                            Assert.Equal(value[i][j].GetInt64(), cm[i, j]);
                        }
                    }

                    break;
                case "matthews_corrcoef":
                    ReferenceData.AssertClose(value.GetDouble(), ClassificationMetrics.MatthewsCorrelation<T>(yTrue, yPred), ctx);
                    break;
                case "cohen_kappa_score":
                    var weights = p.TryGetProperty("weights", out var wt) && wt.ValueKind == JsonValueKind.String
                        ? wt.GetString() == "linear" ? KappaWeighting.Linear : KappaWeighting.Quadratic
                        : KappaWeighting.None;
                    ReferenceData.AssertClose(ReferenceData.ToDouble(value), ClassificationMetrics.CohenKappa<T>(yTrue, yPred, weights), ctx);
                    break;
                default:
                    Assert.Fail($"unknown metric {metric}");
                    break;
            }

            count++;
        }

        return count;
    }

    private static void CheckPrf<T>(
        string metric, JsonElement p, JsonElement value, string[] expectedWarnings, T[] yTrue, T[] yPred, Func<JsonElement, T> read, T[] labels, string ctx)
        where T : notnull
    {
        var zd = p.GetProperty("zero_division") switch
        {
            { ValueKind: JsonValueKind.String } => ZeroDivision.Warn,
            var z when z.GetDouble() == 0 => ZeroDivision.Zero,
            _ => ZeroDivision.One,
        };
        var beta = metric == "fbeta_score" ? p.GetProperty("beta").GetDouble() : 1.0;
        var averageText = p.GetProperty("average").ValueKind == JsonValueKind.Null ? null : p.GetProperty("average").GetString();
        var options = p.TryGetProperty("pos_label", out var pos)
            ? new ClassificationOptions<T> { ZeroDivision = zd, PositiveLabel = read(pos) }
            : new ClassificationOptions<T> { ZeroDivision = zd };
        if (averageText is null)
        {
            var perClass = metric switch
            {
                "precision_score" => ClassificationMetrics.PrecisionPerClass<T>(yTrue, yPred, options),
                "recall_score" => ClassificationMetrics.RecallPerClass<T>(yTrue, yPred, options),
                "f1_score" => ClassificationMetrics.F1ScorePerClass<T>(yTrue, yPred, options),
                _ => ClassificationMetrics.FBetaScorePerClass<T>(yTrue, yPred, beta, options),
            };
            Assert.Equal(labels, perClass.Labels);
            AssertArray(value, perClass.Values, ctx);
            Assert.Equal(expectedWarnings, perClass.Warnings);
            return;
        }

        var average = averageText switch
        {
            "binary" => Average.Binary,
            "micro" => Average.Micro,
            "macro" => Average.Macro,
            _ => Average.Weighted,
        };
        var score = metric switch
        {
            "precision_score" => ClassificationMetrics.Precision<T>(yTrue, yPred, average, options),
            "recall_score" => ClassificationMetrics.Recall<T>(yTrue, yPred, average, options),
            "f1_score" => ClassificationMetrics.F1Score<T>(yTrue, yPred, average, options),
            _ => ClassificationMetrics.FBetaScore<T>(yTrue, yPred, beta, average, options),
        };
        ReferenceData.AssertClose(ReferenceData.ToDouble(value), score.Value, ctx);
        Assert.Equal(expectedWarnings, score.Warnings);
    }

    private static void AssertArray(JsonElement expected, IReadOnlyList<double> actual, string ctx)
    {
        Assert.Equal(expected.GetArrayLength(), actual.Count);
        for (var i = 0; i < actual.Count; i++)
        {
            ReferenceData.AssertClose(ReferenceData.ToDouble(expected[i]), actual[i], $"{ctx}[{i}]");
        }
    }
}
