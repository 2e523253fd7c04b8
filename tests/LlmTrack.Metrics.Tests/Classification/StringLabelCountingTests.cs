using LlmTrack.Metrics.Classification;

namespace LlmTrack.Metrics.Tests.Classification;

/// <summary>The string-label fast path (hash table, chunked counting on large inputs) gives the generic path's results.</summary>
public class StringLabelCountingTests
{
    private static (string[] True, string[] Pred, int[] TrueInts, int[] PredInts) Labels(int count, int classes)
    {
        var random = new Random(7);
        var yTrue = new int[count];
        var yPred = new int[count];
        for (int i = 0; i < count; i++)
        {
            yTrue[i] = random.Next(classes);
            yPred[i] = random.NextDouble() < 0.6 ? yTrue[i] : random.Next(classes);
        }

        // Distinct instances with a common prefix, of several lengths (short, 4–16 and longer code-unit paths).
        static string Name(int c) => c % 3 == 0 ? $"c{c}" : c % 3 == 1 ? $"label_{c:D4}" : $"a-rather-long-class-name-{c}";
        return (yTrue.Select(c => new string(Name(c).AsSpan())).ToArray(), yPred.Select(c => new string(Name(c).AsSpan())).ToArray(), yTrue, yPred);
    }

    [Theory]
    [InlineData(1000, 7)]
    [InlineData(300_000, 40)]
    public void StringLabelsScoreLikeTheGenericPath(int count, int classes)
    {
        var (t, p, _, _) = Labels(count, classes);

        // An explicit ordinal equality comparer takes the generic Dictionary path.
        var generic = new ClassificationOptions<string> { EqualityComparer = StringComparer.Ordinal };
        foreach (var average in new[] { AverageKind.Micro, AverageKind.Macro, AverageKind.Weighted })
        {
            Assert.Equal(
                ClassificationMetrics.F1Score<string>(t, p, average, generic).Value,
                ClassificationMetrics.F1Score<string>(t, p, average).Value);
        }

        var fast = ClassificationMetrics.PrecisionPerClass<string>(t, p);
        var slow = ClassificationMetrics.PrecisionPerClass<string>(t, p, generic);
        Assert.Equal(slow.Labels, fast.Labels);
        Assert.Equal(slow.Values, fast.Values);
        Assert.Equal(
            ClassificationMetrics.BalancedAccuracy<string>(t, p, equality: StringComparer.Ordinal).Value,
            ClassificationMetrics.BalancedAccuracy<string>(t, p).Value);
    }

    [Fact]
    public void FirstNullLabelIsReportedWhateverTheChunk()
    {
        var (t, p, _, _) = Labels(300_000, 5);
        t[250_000] = null!;
        p[200_000] = null!;
        var error = Assert.Throws<ArgumentException>(() => ClassificationMetrics.F1Score<string>(t, p, AverageKind.Macro));
        Assert.StartsWith("yPred[200000] is null", error.Message, StringComparison.Ordinal);
        t[10] = null!;
        error = Assert.Throws<ArgumentException>(() => ClassificationMetrics.F1Score<string>(t, p, AverageKind.Macro));
        Assert.StartsWith("yTrue[10] is null", error.Message, StringComparison.Ordinal);
    }
}
