namespace LlmTrack.Metrics.Ter;

/// <summary>
/// Per-segment TER statistics of a corpus, from which the corpus score and resampled scores
/// (bootstrap confidence intervals, paired significance tests) are computed without re-aligning text.
/// </summary>
public sealed class TerCorpusStatistics
{
    private readonly TerSegmentStatistics[] _segments;

    internal TerCorpusStatistics(TerSegmentStatistics[] segments, string signature)
    {
        _segments = segments;
        Signature = signature;
    }

    /// <summary>Statistics per segment, in corpus order.</summary>
    public IReadOnlyList<TerSegmentStatistics> Segments => _segments;

    /// <summary>The signature of scores computed from these statistics.</summary>
    public string Signature { get; }

    /// <summary>The corpus TER over all segments.</summary>
    public TerScore ToScore()
    {
        var edits = 0L;
        var refLength = 0.0;
        foreach (var segment in _segments)
        {
            edits += segment.NumEdits;
            refLength += segment.RefLength;
        }

        return TerScorer.ScoreFromTotals(edits, refLength, Signature);
    }

    /// <summary>
    /// The corpus TER of the segments at <paramref name="segmentIndices"/> (indices may repeat),
    /// summing their statistics in the given order.
    /// </summary>
    /// <param name="segmentIndices">Indices into <see cref="Segments"/>.</param>
    /// <exception cref="ArgumentException">The sample is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the corpus.</exception>
    public TerScore ScoreSample(ReadOnlySpan<int> segmentIndices)
    {
        if (segmentIndices.IsEmpty)
        {
            throw new ArgumentException("The sample must contain at least one segment.", nameof(segmentIndices));
        }

        var edits = 0L;
        var refLength = 0.0;
        foreach (var index in segmentIndices)
        {
            if ((uint)index >= (uint)_segments.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(segmentIndices), index, $"Segment index must be in [0, {_segments.Length}).");
            }

            edits += _segments[index].NumEdits;
            refLength += _segments[index].RefLength;
        }

        return TerScorer.ScoreFromTotals(edits, refLength, Signature);
    }

    /// <summary>A <see cref="SampleScorer"/> returning the TER (in percent) of a resampled corpus.</summary>
    public SampleScorer CreateSampleScorer() => indices => ScoreSample(indices).Score;
}
