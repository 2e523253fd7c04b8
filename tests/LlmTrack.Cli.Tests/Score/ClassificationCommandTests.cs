using LlmTrack.Metrics.Classification;
using static LlmTrack.Cli.Tests.CliRun;

namespace LlmTrack.Cli.Tests.Score;

public class ClassificationCommandTests
{
    [Fact]
    public async Task MacroTextOutputWithConfusionMatrix()
    {
        using var files = new TempFolder();
        var run = await RunAsync("score", "classification", "--true", files.Write("t.txt", "cat\ndog\ncat\ndog\nbird\n"),
            "--pred", files.Write("p.txt", "cat\ndog\ndog\ndog\nbird\r\n"), "--average", "macro");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            "accuracy = 0.8000\nprecision = 0.8889\nrecall = 0.8333\nf1 = 0.8222\nmcc = 0.7350\nkappa = 0.6875\n" +
            "kappa_linear = 0.7619\nkappa_quadratic = 0.8387\nbalanced_accuracy = 0.8333\naverage = macro\n" +
            "confusion matrix (rows: true, columns: predicted):\n     bird  cat  dog\nbird    1    0    0\ncat     0    1    1\ndog     0    0    2\n",
            run.Stdout);
    }

    [Fact]
    public async Task BinaryJsonEqualsTheLibrary()
    {
        string[] yTrue = ["1", "0", "1", "1", "0", "0", "1"];
        string[] yPred = ["1", "0", "0", "1", "1", "0", "1"];
        using var files = new TempFolder();
        var run = await RunAsync("score", "classification", "--true", files.Write("t.txt", string.Join('\n', yTrue)),
            "--pred", files.Write("p.txt", string.Join('\n', yPred) + "\n"), "-f", "json");
        Assert.Equal(0, run.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        var options = new ClassificationOptions<string> { PositiveLabel = "1" };
        Assert.Equal(ClassificationMetrics.Accuracy<string>(yTrue, yPred), root.GetProperty("accuracy").GetDouble());
        Assert.Equal(ClassificationMetrics.Precision<string>(yTrue, yPred, AverageKind.Binary, options).Value, root.GetProperty("precision").GetDouble());
        Assert.Equal(ClassificationMetrics.Recall<string>(yTrue, yPred, AverageKind.Binary, options).Value, root.GetProperty("recall").GetDouble());
        Assert.Equal(ClassificationMetrics.F1Score<string>(yTrue, yPred, AverageKind.Binary, options).Value, root.GetProperty("f1").GetDouble());
        Assert.Equal(ClassificationMetrics.MatthewsCorrelation<string>(yTrue, yPred), root.GetProperty("mcc").GetDouble());
        Assert.Equal(ClassificationMetrics.CohenKappa<string>(yTrue, yPred), root.GetProperty("kappa").GetDouble());
        Assert.Equal("binary", root.GetProperty("average").GetString());
        Assert.Equal("1", root.GetProperty("pos_label").GetString());
        Assert.Equal("[[2,1],[1,3]]", root.GetProperty("confusion_matrix").GetRawText().Replace(" ", "").Replace("\n", "").Replace("\r", ""));
    }

    [Fact]
    public async Task WeightedAndPosLabelChangeTheAverages()
    {
        using var files = new TempFolder();
        string t = files.Write("t.txt", "yes\nno\nyes\nyes\n");
        string p = files.Write("p.txt", "yes\nyes\nno\nyes\n");
        var binaryNo = await RunAsync("score", "classification", "--true", t, "--pred", p, "--pos-label", "no");
        Assert.Equal(0, binaryNo.ExitCode);
        Assert.Contains("precision = 0.0000\nrecall = 0.0000\n", binaryNo.Stdout);
        Assert.Contains("average = binary (pos_label = no)\n", binaryNo.Stdout);

        var weighted = await RunAsync("score", "classification", "--true", t, "--pred", p, "--average", "weighted", "-w", "6");
        Assert.Contains("precision = 0.500000\n", weighted.Stdout);
    }

    [Fact]
    public async Task UndefinedMetricsWarnOnStderr()
    {
        using var files = new TempFolder();
        var run = await RunAsync("score", "classification", "--true", files.Write("t.txt", "0\n0\n1\n"), "--pred", files.Write("p.txt", "0\n0\n0\n"));
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("precision = 0.0000", run.Stdout);
        Assert.StartsWith("llmtrack: warning: ", run.Stderr);
        Assert.Contains("Precision is ill-defined", run.Stderr);
    }

    [Theory]
    [InlineData("a\nb\n", "a\nb\nb\n", "has 2 lines but predicted-label file")]
    [InlineData("a\nb\nc\n", "a\nb\nb\n", "--pos-label '1' is not a label of the data (labels: a, b, c)")]
    [InlineData("0\n1\n2\n", "0\n1\n1\n", "Target is multiclass")]
    [InlineData("a\n\nb\n", "a\nb\nb\n", "t.txt:2: empty label.")]
    public async Task BadInputIsAnInputError(string truth, string predicted, string message)
    {
        using var files = new TempFolder();
        var run = await RunAsync("score", "classification", "--true", files.Write("t.txt", truth), "--pred", files.Write("p.txt", predicted));
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Contains(message, run.Stderr);
    }
}
