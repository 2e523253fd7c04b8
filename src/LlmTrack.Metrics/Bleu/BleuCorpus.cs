using LlmTrack.Metrics.Tokenization;

namespace LlmTrack.Metrics.Bleu;

/// <summary>
/// A tokenized corpus with sacreBLEU's per-segment BLEU statistics. Corpus BLEU is the BLEU of the
/// summed statistics, so any subset or bootstrap resample is scored without re-tokenizing.
/// Immutable and thread-safe.
/// </summary>
public sealed class BleuCorpus
{
    private readonly SegmentStatisticsTable _stats;
    private BleuResult? _corpus;

    internal BleuCorpus(int[] stats, int segmentCount, BleuOptions options, string signature)
    {
        _stats = new SegmentStatisticsTable(stats, BleuComputation.Width, segmentCount);
        Options = options;
        Signature = signature;
    }

    /// <summary>The number of segments.</summary>
    public int SegmentCount => _stats.SegmentCount;

    /// <summary>The options the corpus was prepared with.</summary>
    public BleuOptions Options { get; }

    /// <summary>sacreBLEU's signature of this corpus and options.</summary>
    public string Signature { get; }

    /// <summary>The corpus BLEU.</summary>
    /// <returns>The score over all segments.</returns>
    public BleuResult Corpus()
    {
        if (_corpus is null)
        {
            Span<long> sums = stackalloc long[BleuComputation.Width];
            _stats.SumAll(sums);

            _corpus = BleuComputation.ToResult(sums, Options, Signature);
        }

        return _corpus;
    }

    /// <summary>BLEU of the segments at <paramref name="segmentIndices"/> (repetition allowed), from summed statistics.</summary>
    /// <param name="segmentIndices">Segment indices.</param>
    /// <returns>The score of that sample.</returns>
    public BleuResult Score(ReadOnlySpan<int> segmentIndices)
    {
        Span<long> sums = stackalloc long[BleuComputation.Width];
        _stats.Sum(segmentIndices, sums);
        return BleuComputation.ToResult(sums, Options, Signature);
    }

    /// <summary>BLEU of one segment with this corpus's options (use <see cref="BleuOptions.EffectiveOrder"/> for sentence BLEU).</summary>
    /// <param name="index">The segment index.</param>
    /// <returns>The segment's score.</returns>
    public BleuResult SegmentScore(int index) => Score([index]);

    /// <summary>
    /// A scorer for paired bootstrap resampling and confidence intervals: the corpus BLEU of a
    /// resample, from summed per-segment statistics (as sacreBLEU's significance tests do). It does
    /// not allocate and is thread-safe.
    /// </summary>
    /// <returns>The scorer.</returns>
    public SampleScorer CreateSampleScorer() => indices =>
    {
        Span<long> sums = stackalloc long[BleuComputation.Width];
        _stats.Sum(indices, sums);
        return BleuComputation.ScoreOnly(sums, Options);
    };

    /// <summary>The sufficient statistics of one segment.</summary>
    /// <param name="index">The segment index.</param>
    /// <returns>sys_len, ref_len and the matched and total n-grams per order.</returns>
    public BleuSegmentStatistics GetSegmentStatistics(int index)
    {
        ReadOnlySpan<int> row = _stats.Row(index);
        return new BleuSegmentStatistics(
            row[0],
            row[1],
            row.Slice(2, BleuComputation.MaxOrder).ToArray(),
            row.Slice(2 + BleuComputation.MaxOrder, BleuComputation.MaxOrder).ToArray());
    }
}
