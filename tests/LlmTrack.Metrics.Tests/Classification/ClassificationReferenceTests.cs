using System.Text.Json;
using LlmTrack.Metrics.Classification;

namespace LlmTrack.Metrics.Tests.Classification;

public class ClassificationReferenceTests
{
    private static readonly string[] Files = ["classification_expected.json", "classification_edge_cases.json"];

    private static readonly Dictionary<string, JsonElement> Data = Files.ToDictionary(f => f, ReferenceData.Load);

    public static TheoryData<string, string> CaseNames()
    {
        var names = new TheoryData<string, string>();
        foreach (var file in Files)
        {
            foreach (var c in Data[file].GetProperty("cases").EnumerateObject())
            {
                names.Add(file, c.Name);
            }
        }

        return names;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void MatchesScikitLearn(string file, string caseName)
    {
        var c = Data[file].GetProperty("cases").GetProperty(caseName);
        var isString = c.GetProperty("y_true")[0].ValueKind == JsonValueKind.String;
        var checkedCount = isString
            ? Check(c, e => e.GetString()!)
            : Check(c, e => e.GetInt32());
        Assert.True(checkedCount >= 40, $"only {checkedCount} results checked");
    }

    private static int Check<T>(JsonElement c, Func<JsonElement, T> read)
        where T : notnull
    {
        var yTrue = c.GetProperty("y_true").EnumerateArray().Select(read).ToArray();
        var yPred = c.GetProperty("y_pred").EnumerateArray().Select(read).ToArray();
        var allLabels = c.GetProperty("labels").EnumerateArray().Select(read).ToArray();
        var count = 0;
        foreach (var r in c.GetProperty("results").EnumerateArray())
        {
            var metric = r.GetProperty("metric").GetString()!;
            var p = r.GetProperty("params");
            var ctx = $"{metric} {p}";
            if (r.TryGetProperty("error", out _))
            {
                var ex = Assert.Throws<ArgumentException>(() => Compute(metric, p, yTrue, yPred, read));
                Assert.StartsWith(r.GetProperty("message").GetString()!, ex.Message, StringComparison.Ordinal);
                count++;
                continue;
            }

            var value = r.GetProperty("value");
            var expectedWarnings = r.TryGetProperty("warnings", out var w)
                ? w.EnumerateArray().Select(x => x.GetString()!).Where(x => !x.StartsWith("RuntimeWarning", StringComparison.Ordinal)).ToArray()
                : [];
            var labels = p.TryGetProperty("labels", out var l) ? l.EnumerateArray().Select(read).ToArray() : allLabels;
            switch (Compute(metric, p, yTrue, yPred, read))
            {
                case long n:
                    Assert.Equal(value.GetInt64(), n);
                    break;
                case double d:
                    ReferenceData.AssertClose(ReferenceData.ToDouble(value), d, ctx);
                    break;
                case ClassificationScore s:
                    ReferenceData.AssertClose(ReferenceData.ToDouble(value), s.Value, ctx);
                    Assert.Equal(expectedWarnings, s.Warnings);
                    break;
                case PerClassScores<T> s:
                    Assert.Equal(labels, s.Labels);
                    AssertArray(value, s.Values, ctx);
                    Assert.Equal(expectedWarnings, s.Warnings);
                    break;
                case ClassificationReport<T> report:
                    Assert.Equal(labels, report.Labels);
                    AssertArray(value[0], report.Precision, ctx);
                    AssertArray(value[1], report.Recall, ctx);
                    AssertArray(value[2], report.FScore, ctx);
                    Assert.Equal(value[3].EnumerateArray().Select(x => x.GetInt64()), report.Support);
                    Assert.Equal(expectedWarnings, report.Warnings);
                    break;
                case ConfusionMatrix<T> cm:
                    Assert.Equal(labels, cm.Labels);
                    for (var i = 0; i < cm.Size; i++)
                    {
                        for (var j = 0; j < cm.Size; j++)
                        {
                            Assert.Equal(value[i][j].GetInt64(), cm[i, j]);
                        }
                    }

                    break;
                default:
                    Assert.Fail($"unknown metric {metric}");
                    break;
            }

            count++;
        }

        return count;
    }

    private static object Compute<T>(string metric, JsonElement p, T[] yTrue, T[] yPred, Func<JsonElement, T> read)
        where T : notnull
    {
        T[]? labels = p.TryGetProperty("labels", out var l) ? l.EnumerateArray().Select(read).ToArray() : null;
        switch (metric)
        {
            case "accuracy_score":
                return p.TryGetProperty("normalize", out _)
                    ? ClassificationMetrics.CorrectCount<T>(yTrue, yPred)
                    : ClassificationMetrics.Accuracy<T>(yTrue, yPred);
            case "balanced_accuracy_score":
                return ClassificationMetrics.BalancedAccuracy<T>(yTrue, yPred, p.TryGetProperty("adjusted", out var adj) && adj.GetBoolean());
            case "precision_recall_fscore_support":
                return ClassificationMetrics.Report<T>(yTrue, yPred, 1.0, new ClassificationOptions<T> { Labels = labels });
            case "confusion_matrix":
                return ClassificationMetrics.ConfusionMatrix<T>(yTrue, yPred, labels);
            case "matthews_corrcoef":
                return ClassificationMetrics.MatthewsCorrelation<T>(yTrue, yPred);
            case "cohen_kappa_score":
                var weights = p.TryGetProperty("weights", out var wt) && wt.ValueKind == JsonValueKind.String
                    ? wt.GetString() == "linear" ? KappaWeighting.Linear : KappaWeighting.Quadratic
                    : KappaWeighting.None;
                return ClassificationMetrics.CohenKappa<T>(yTrue, yPred, weights, labels);
        }

        var zd = p.GetProperty("zero_division") switch
        {
            { ValueKind: JsonValueKind.String } => ZeroDivision.Warn,
            var z when z.GetDouble() == 0 => ZeroDivision.Zero,
            _ => ZeroDivision.One,
        };
        var beta = metric == "fbeta_score" ? p.GetProperty("beta").GetDouble() : 1.0;
        var averageText = p.GetProperty("average").ValueKind == JsonValueKind.Null ? null : p.GetProperty("average").GetString();
        var options = p.TryGetProperty("pos_label", out var pos)
            ? new ClassificationOptions<T> { ZeroDivision = zd, PositiveLabel = read(pos), Labels = labels }
            : new ClassificationOptions<T> { ZeroDivision = zd, Labels = labels };
        if (averageText is null)
        {
            return metric switch
            {
                "precision_score" => ClassificationMetrics.PrecisionPerClass<T>(yTrue, yPred, options),
                "recall_score" => ClassificationMetrics.RecallPerClass<T>(yTrue, yPred, options),
                "f1_score" => ClassificationMetrics.F1ScorePerClass<T>(yTrue, yPred, options),
                _ => ClassificationMetrics.FBetaScorePerClass<T>(yTrue, yPred, beta, options),
            };
        }

        var average = averageText switch
        {
            "binary" => AverageKind.Binary,
            "micro" => AverageKind.Micro,
            "macro" => AverageKind.Macro,
            _ => AverageKind.Weighted,
        };
        return metric switch
        {
            "precision_score" => ClassificationMetrics.Precision<T>(yTrue, yPred, average, options),
            "recall_score" => ClassificationMetrics.Recall<T>(yTrue, yPred, average, options),
            "f1_score" => ClassificationMetrics.F1Score<T>(yTrue, yPred, average, options),
            _ => ClassificationMetrics.FBetaScore<T>(yTrue, yPred, beta, average, options),
        };
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
