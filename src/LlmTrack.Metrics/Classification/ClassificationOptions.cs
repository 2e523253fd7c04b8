namespace LlmTrack.Metrics.Classification;

/// <summary>Options of the precision, recall and F-score calculations (scikit-learn's keyword arguments).</summary>
/// <typeparam name="TLabel">The label type.</typeparam>
public sealed class ClassificationOptions<TLabel>
    where TLabel : notnull
{
    private TLabel? _positiveLabel;

    /// <summary>
    /// The labels to score and their order (scikit-learn's <c>labels</c>). <see langword="null"/> means the sorted
    /// union of the labels in the true and predicted values. Labels that never occur get zero counts; occurring labels
    /// missing from the list are left out (also from micro averages). Ignored by <see cref="AverageKind.Binary"/>.
    /// </summary>
    public IReadOnlyList<TLabel>? Labels { get; init; }

    /// <summary>
    /// The positive class for <see cref="AverageKind.Binary"/> (scikit-learn's <c>pos_label</c>). When not set,
    /// integer label types use 1 and bool uses true, as scikit-learn does; other label types must set it.
    /// </summary>
    public TLabel? PositiveLabel
    {
        get => _positiveLabel;
        init
        {
            _positiveLabel = value;
            HasPositiveLabel = true;
        }
    }

    /// <summary>Whether <see cref="PositiveLabel"/> was set.</summary>
    public bool HasPositiveLabel { get; private init; }

    /// <summary>The value for zero denominators; <see cref="ZeroDivision.Warn"/> by default.</summary>
    public ZeroDivision ZeroDivision { get; init; } = ZeroDivision.Warn;

    /// <summary>
    /// The sort order of labels. <see langword="null"/> uses NumPy's order: <see cref="Comparer{T}.Default"/>, and for
    /// strings the order of Unicode code points (like NumPy's <c>np.unique</c> on a unicode array).
    /// </summary>
    public IComparer<TLabel>? Comparer { get; init; }

    /// <summary>Label equality; <see langword="null"/> uses <see cref="EqualityComparer{T}.Default"/> (ordinal for strings).</summary>
    public IEqualityComparer<TLabel>? EqualityComparer { get; init; }
}
