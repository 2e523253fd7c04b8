namespace LlmTrack.Metrics.Classification;

/// <summary>
/// A confusion matrix: <c>Counts[i, j]</c> is the number of samples whose true label is <c>Labels[i]</c> and whose
/// predicted label is <c>Labels[j]</c> (scikit-learn's <c>confusion_matrix</c> layout).
/// </summary>
/// <typeparam name="TLabel">The label type.</typeparam>
public sealed class ConfusionMatrix<TLabel>
    where TLabel : notnull
{
    private readonly long[] _counts;

    internal ConfusionMatrix(TLabel[] labels, long[] counts)
    {
        Labels = labels;
        _counts = counts;
    }

    /// <summary>The labels of the rows (true) and columns (predicted).</summary>
    public IReadOnlyList<TLabel> Labels { get; }

    /// <summary>The number of classes (rows and columns).</summary>
    public int Size => Labels.Count;

    /// <summary>The count of samples with true label at <paramref name="trueIndex"/> predicted as the label at <paramref name="predictedIndex"/>.</summary>
    /// <param name="trueIndex">Row: index of the true label in <see cref="Labels"/>.</param>
    /// <param name="predictedIndex">Column: index of the predicted label in <see cref="Labels"/>.</param>
    public long this[int trueIndex, int predictedIndex]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(trueIndex);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(trueIndex, Size);
            ArgumentOutOfRangeException.ThrowIfNegative(predictedIndex);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(predictedIndex, Size);
            return _counts[(trueIndex * Size) + predictedIndex];
        }
    }

    /// <summary>The matrix as a rectangular array.</summary>
    public long[,] ToArray()
    {
        var n = Size;
        var result = new long[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                result[i, j] = _counts[(i * n) + j];
            }
        }

        return result;
    }

    internal ReadOnlySpan<long> Flat => _counts;
}
