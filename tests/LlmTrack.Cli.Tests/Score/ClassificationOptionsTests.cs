using System.Text.Json;
using LlmTrack.Metrics.Classification;
using static LlmTrack.Cli.Tests.CliRun;

namespace LlmTrack.Cli.Tests.Score;

/// <summary>
/// The classification options that reach the rest of the library: --average none, --beta, --zero-division,
/// --labels, balanced accuracy and weighted kappa. Expected values come from the library, whose values are
/// tested against scikit-learn 1.2.1 in LlmTrack.Metrics.Tests.
/// </summary>
public class ClassificationOptionsTests
{
    private static readonly string[] YTrue = ["cat", "dog", "cat", "dog", "bird", "cat"];
    private static readonly string[] YPred = ["cat", "dog", "dog", "dog", "fish", "cat"];

    private static async Task<JsonDocument> RunJsonAsync(params string[] extra)
    {
        using var files = new TempFolder();
        string t = files.Write("t.txt", string.Join('\n', YTrue) + "\n");
        string p = files.Write("p.txt", string.Join('\n', YPred) + "\n");
        var run = await RunAsync(["score", "classification", "--true", t, "--pred", p, "-f", "json", .. extra]);
        Assert.Equal(0, run.ExitCode);
        return JsonDocument.Parse(run.Stdout);
    }

    private static double?[] Numbers(JsonElement array) =>
        array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? (double?)null : e.GetDouble()).ToArray();

    private static double?[] Expected(IReadOnlyList<double> values) =>
        values.Select(v => double.IsNaN(v) ? (double?)null : v).ToArray();

    [Fact]
    public async Task PerClassResultsInScikitLearnLabelOrder()
    {
        using var json = await RunJsonAsync("--average", "none", "--beta", "0.5");
        var root = json.RootElement;
        var options = new ClassificationOptions<string>();
        var precision = ClassificationMetrics.PrecisionPerClass<string>(YTrue, YPred, options);
        Assert.Equal(["bird", "cat", "dog", "fish"], root.GetProperty("classes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(precision.Labels, root.GetProperty("classes").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(Expected(precision.Values), Numbers(root.GetProperty("precision")));
        Assert.Equal(Expected(ClassificationMetrics.RecallPerClass<string>(YTrue, YPred, options).Values), Numbers(root.GetProperty("recall")));
        Assert.Equal(Expected(ClassificationMetrics.F1ScorePerClass<string>(YTrue, YPred, options).Values), Numbers(root.GetProperty("f1")));
        Assert.Equal(Expected(ClassificationMetrics.FBetaScorePerClass<string>(YTrue, YPred, 0.5, options).Values), Numbers(root.GetProperty("fbeta")));
        Assert.Equal([1L, 3L, 2L, 0L], root.GetProperty("support_per_class").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(0.5, root.GetProperty("beta").GetDouble());
    }

    [Theory]
    [InlineData("warn", ZeroDivision.Warn)]
    [InlineData("0", ZeroDivision.Zero)]
    [InlineData("1", ZeroDivision.One)]
    [InlineData("nan", ZeroDivision.NaN)]
    public async Task ZeroDivisionReachesEveryScore(string option, ZeroDivision mode)
    {
        using var json = await RunJsonAsync("--average", "macro", "--zero-division", option);
        var root = json.RootElement;
        var options = new ClassificationOptions<string> { ZeroDivision = mode };
        Assert.Equal(Expected([ClassificationMetrics.Precision<string>(YTrue, YPred, AverageKind.Macro, options).Value]), [Value(root, "precision")]);
        Assert.Equal(Expected([ClassificationMetrics.Recall<string>(YTrue, YPred, AverageKind.Macro, options).Value]), [Value(root, "recall")]);
        Assert.Equal(Expected([ClassificationMetrics.F1Score<string>(YTrue, YPred, AverageKind.Macro, options).Value]), [Value(root, "f1")]);
        Assert.Equal(option, root.GetProperty("zero_division").GetString());
    }

    [Fact]
    public async Task ExplicitLabelsOrderTheMatrixKappaAndScores()
    {
        string[] labels = ["dog", "cat", "bird"];
        using var json = await RunJsonAsync("--average", "weighted", "--labels", "dog", "cat", "bird");
        var root = json.RootElement;
        var options = new ClassificationOptions<string> { Labels = labels };
        Assert.Equal(labels, root.GetProperty("labels").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(ClassificationMetrics.F1Score<string>(YTrue, YPred, AverageKind.Weighted, options).Value, root.GetProperty("f1").GetDouble());
        Assert.Equal(ClassificationMetrics.CohenKappa<string>(YTrue, YPred, KappaWeighting.Linear, labels), root.GetProperty("kappa_linear").GetDouble());
        Assert.Equal(ClassificationMetrics.CohenKappa<string>(YTrue, YPred, KappaWeighting.Quadratic, labels), root.GetProperty("kappa_quadratic").GetDouble());
        var matrix = ClassificationMetrics.ConfusionMatrix<string>(YTrue, YPred, labels);
        Assert.Equal(matrix[0, 0], root.GetProperty("confusion_matrix")[0][0].GetInt64());
        Assert.Equal(matrix[1, 0], root.GetProperty("confusion_matrix")[1][0].GetInt64());
    }

    [Fact]
    public async Task BalancedAccuracyAndWeightedKappa()
    {
        using var json = await RunJsonAsync("--average", "micro");
        var root = json.RootElement;
        Assert.Equal(ClassificationMetrics.BalancedAccuracy<string>(YTrue, YPred).Value, root.GetProperty("balanced_accuracy").GetDouble());
        Assert.Equal(ClassificationMetrics.CohenKappa<string>(YTrue, YPred, KappaWeighting.Linear), root.GetProperty("kappa_linear").GetDouble());
        Assert.Equal(ClassificationMetrics.CohenKappa<string>(YTrue, YPred, KappaWeighting.Quadratic), root.GetProperty("kappa_quadratic").GetDouble());
    }

    [Fact]
    public async Task PerClassTextTable()
    {
        using var files = new TempFolder();
        var run = await RunAsync("score", "classification", "--true", files.Write("t.txt", "a\nb\nb\n"), "--pred", files.Write("p.txt", "a\nb\na\n"), "--average", "none", "-w", "2");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("average = none\nclass precision recall   f1 support\na          0.50   1.00 0.67       1\nb          1.00   0.50 0.67       2\n", run.Stdout);
    }

    [Theory]
    [InlineData("--average", "macro", "--pos-label", "cat")]
    [InlineData("--beta", "-1")]
    [InlineData("--zero-division", "2")]
    [InlineData("--average", "none", "--labels", "a", "a")]
    [InlineData("--average", "samples")]
    public async Task BadOptionsAreUsageErrors(params string[] extra)
    {
        using var files = new TempFolder();
        var run = await RunAsync(["score", "classification", "--true", files.Write("t.txt", "a\nb\n"), "--pred", files.Write("p.txt", "a\na\n"), .. extra]);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("llmtrack: error: ", run.Stderr);
    }

    private static double? Value(JsonElement root, string name) =>
        root.GetProperty(name).ValueKind == JsonValueKind.Null ? null : root.GetProperty(name).GetDouble();
}
