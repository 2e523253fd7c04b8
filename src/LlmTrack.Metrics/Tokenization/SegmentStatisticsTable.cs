namespace LlmTrack.Metrics.Tokenization;

/// <summary>
/// Per-segment sufficient statistics (BLEU, chrF) stored row by row: <see cref="Width"/> counts per
/// segment. Corpus scores and resamples are computed from sums of rows, as sacreBLEU does.
/// Immutable and thread-safe.
/// </summary>
internal sealed class SegmentStatisticsTable
{
    private readonly int[] _stats;

    /// <summary>Wraps <paramref name="stats"/>, which holds <paramref name="segmentCount"/> rows of <paramref name="width"/> counts.</summary>
    public SegmentStatisticsTable(int[] stats, int width, int segmentCount)
    {
        _stats = stats;
        Width = width;
        SegmentCount = segmentCount;
    }

    /// <summary>The number of counts per segment.</summary>
    public int Width { get; }

    /// <summary>The number of segments.</summary>
    public int SegmentCount { get; }

    /// <summary>The counts of segment <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside the corpus.</exception>
    public ReadOnlySpan<int> Row(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, SegmentCount);
        return _stats.AsSpan(index * Width, Width);
    }

    /// <summary>Sets <paramref name="sums"/> (at least <see cref="Width"/> long) to the sum of all rows.</summary>
    public void SumAll(Span<long> sums)
    {
        sums[..Width].Clear();
        for (int i = 0; i < SegmentCount; i++)
        {
            Add(sums, i);
        }
    }

    /// <summary>Sets <paramref name="sums"/> to the sum of the rows at <paramref name="segmentIndices"/> (repetition allowed).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the corpus.</exception>
    public void Sum(ReadOnlySpan<int> segmentIndices, Span<long> sums)
    {
        sums[..Width].Clear();
        foreach (int index in segmentIndices)
        {
            if ((uint)index >= (uint)SegmentCount)
            {
                throw new ArgumentOutOfRangeException(nameof(segmentIndices), index, "Segment index out of range.");
            }

            Add(sums, index);
        }
    }

    private void Add(Span<long> sums, int index)
    {
        ReadOnlySpan<int> row = _stats.AsSpan(index * Width, Width);
        for (int j = 0; j < row.Length; j++)
        {
            sums[j] += row[j];
        }
    }
}
