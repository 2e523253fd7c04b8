using LlmTrack.Metrics.Classification;

namespace LlmTrack.Metrics.Tests.Classification;

public class ClassificationBehaviourTests
{
    private enum Sentiment
    {
        Negative = -1,
        Neutral = 0,
        Positive = 1,
    }

    [Fact]
    public void MismatchedLengthsAndEmptyInputThrow()
    {
        var mismatch = Assert.Throws<ArgumentException>(() => ClassificationMetrics.F1Score<int>([1, 0], [1], AverageKind.Macro));
        Assert.Equal("yPred", mismatch.ParamName);
        Assert.Contains("same length", mismatch.Message, StringComparison.Ordinal);
        var empty = Assert.Throws<ArgumentException>(() => ClassificationMetrics.Accuracy<int>([], []));
        Assert.Equal("yTrue", empty.ParamName);
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.ConfusionMatrix<string>(["a"], ["a", "b"]));
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.CohenKappa<int>([], []));
    }

    [Fact]
    public void NullLabelsAndDuplicateLabelListsThrow()
    {
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.F1Score<string>(["a", null!], ["a", "b"], AverageKind.Macro));
        var duplicate = Assert.Throws<ArgumentException>(() =>
            ClassificationMetrics.F1Score<int>([0, 1], [0, 1], AverageKind.Macro, new ClassificationOptions<int> { Labels = [0, 0] }));
        Assert.Contains("more than once", duplicate.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BinaryAverageNeedsAPositiveLabelForNonIntegerLabels()
    {
        string[] yTrue = ["no", "yes", "yes"];
        string[] yPred = ["no", "yes", "no"];
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.F1Score<string>(yTrue, yPred, AverageKind.Binary));
        var f1 = ClassificationMetrics.F1Score<string>(yTrue, yPred, AverageKind.Binary, new ClassificationOptions<string> { PositiveLabel = "yes" });
        Assert.Equal(2.0 / 3, f1.Value, 15);
        var invalid = Assert.Throws<ArgumentException>(() =>
            ClassificationMetrics.F1Score<string>(yTrue, yPred, AverageKind.Binary, new ClassificationOptions<string> { PositiveLabel = "maybe" }));
        Assert.StartsWith("pos_label=maybe is not a valid label. It should be one of [no, yes]", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BoolLabelsDefaultToTrueAsPositive()
    {
        bool[] yTrue = [true, false, true, true];
        bool[] yPred = [true, false, false, true];
        Assert.Equal(2.0 / 3, ClassificationMetrics.Recall<bool>(yTrue, yPred, AverageKind.Binary).Value, 15);
        Assert.Equal([false, true], ClassificationMetrics.ConfusionMatrix<bool>(yTrue, yPred).Labels);
    }

    [Fact]
    public void NaNZeroDivisionPropagates()
    {
        int[] yTrue = [0, 0, 1, 1];
        int[] yPred = [0, 0, 0, 0];
        var options = new ClassificationOptions<int> { ZeroDivision = ZeroDivision.NaN };
        var perClass = ClassificationMetrics.PrecisionPerClass<int>(yTrue, yPred, options);
        Assert.Equal(0.5, perClass.Values[0]);
        Assert.True(double.IsNaN(perClass.Values[1]));
        Assert.Empty(perClass.Warnings);
        Assert.True(double.IsNaN(ClassificationMetrics.Precision<int>(yTrue, yPred, AverageKind.Macro, options).Value));
        Assert.True(double.IsNaN(ClassificationMetrics.F1Score<int>(yTrue, yPred, AverageKind.Binary, options).Value));
        Assert.Equal(0.5, ClassificationMetrics.Recall<int>(yTrue, yPred, AverageKind.Macro, options).Value);
    }

    [Fact]
    public void EnumLabelsSortByUnderlyingValue()
    {
        Sentiment[] yTrue = [Sentiment.Positive, Sentiment.Negative, Sentiment.Neutral, Sentiment.Positive];
        Sentiment[] yPred = [Sentiment.Positive, Sentiment.Neutral, Sentiment.Neutral, Sentiment.Negative];
        var cm = ClassificationMetrics.ConfusionMatrix<Sentiment>(yTrue, yPred);
        Assert.Equal([Sentiment.Negative, Sentiment.Neutral, Sentiment.Positive], cm.Labels);
        Assert.Equal(new long[,] { { 0, 1, 0 }, { 0, 1, 0 }, { 1, 0, 1 } }, cm.ToArray());
        Assert.Equal(0.5, ClassificationMetrics.Accuracy<Sentiment>(yTrue, yPred));
    }

    [Fact]
    public void DenseAndDictionaryPathsAgree()
    {
        var random = new Random(5);
        var yTrue = Enumerable.Range(0, 5000).Select(_ => random.Next(-20, 20)).ToArray();
        var yPred = yTrue.Select(v => random.NextDouble() < 0.6 ? v : random.Next(-25, 20)).ToArray();
        var asLong = (yTrue.Select(v => (long)v).ToArray(), yPred.Select(v => (long)v).ToArray());
        var viaComparer = new ClassificationOptions<int> { Comparer = Comparer<int>.Default };
        foreach (var average in new[] { AverageKind.Micro, AverageKind.Macro, AverageKind.Weighted })
        {
            var dense = ClassificationMetrics.F1Score<int>(yTrue, yPred, average).Value;
            Assert.Equal(dense, ClassificationMetrics.F1Score<int>(yTrue, yPred, average, viaComparer).Value);
            Assert.Equal(dense, ClassificationMetrics.F1Score<long>(asLong.Item1, asLong.Item2, average).Value);
        }

        Assert.Equal(
            ClassificationMetrics.MatthewsCorrelation<int>(yTrue, yPred),
            ClassificationMetrics.MatthewsCorrelation<long>(asLong.Item1, asLong.Item2));
    }

    [Fact]
    public void ReportCombinesPerClassScoresAndAverages()
    {
        int[] yTrue = [0, 1, 2, 2, 1, 0];
        int[] yPred = [0, 2, 2, 2, 1, 1];
        var report = ClassificationMetrics.Report<int>(yTrue, yPred);
        Assert.Equal([0, 1, 2], report.Labels);
        Assert.Equal([2L, 2L, 2L], report.Support);
        Assert.Equal(4.0 / 6, report.Accuracy);
        Assert.Equal(ClassificationMetrics.F1Score<int>(yTrue, yPred, AverageKind.Macro).Value, report.Macro.FScore);
        Assert.Equal(ClassificationMetrics.Precision<int>(yTrue, yPred, AverageKind.Weighted).Value, report.Weighted.Precision);
        Assert.Equal(ClassificationMetrics.Recall<int>(yTrue, yPred, AverageKind.Micro).Value, report.Micro.Recall);
    }

    [Fact]
    public void InfiniteBetaIsRecallAndNegativeBetaThrows()
    {
        int[] yTrue = [0, 1, 1, 0, 1];
        int[] yPred = [0, 1, 0, 1, 1];
        Assert.Equal(
            ClassificationMetrics.Recall<int>(yTrue, yPred, AverageKind.Macro).Value,
            ClassificationMetrics.FBetaScore<int>(yTrue, yPred, double.PositiveInfinity, AverageKind.Macro).Value);
        Assert.Throws<ArgumentOutOfRangeException>(() => ClassificationMetrics.FBetaScore<int>(yTrue, yPred, -1, AverageKind.Macro));
    }

    [Fact]
    public void MacroF1OnAMillionLabels()
    {
        var random = new Random(1);
        var yTrue = new int[1_000_000];
        var yPred = new int[yTrue.Length];
        for (var i = 0; i < yTrue.Length; i++)
        {
            yTrue[i] = random.Next(10);
            yPred[i] = random.NextDouble() < 0.7 ? yTrue[i] : random.Next(10);
        }

        // Speed is measured by ClassificationBenchmarks (BenchmarkDotNet), not here.
        var f1 = ClassificationMetrics.F1Score<int>(yTrue, yPred, AverageKind.Macro);
        Assert.InRange(f1.Value, 0.7, 0.8);
    }
}
