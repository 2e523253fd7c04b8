using LlmTrack.Metrics.Tokenization;

namespace LlmTrack.Metrics.Chrf;

/// <summary>
/// A corpus with sacreBLEU's per-segment chrF statistics ([hypothesis n-grams, reference n-grams,
/// matches] per order). Corpus chrF is computed from the summed statistics, so subsets and bootstrap
/// resamples are scored without re-reading the text. Immutable and thread-safe.
/// </summary>
public sealed class ChrfCorpus
{
    private const int MaxWidth = 3 * (6 + 3);
    private readonly SegmentStatisticsTable _stats;
    private ChrfResult? _corpus;

    internal ChrfCorpus(int[] stats, int width, int segmentCount, ChrfOptions options, string signature)
    {
        _stats = new SegmentStatisticsTable(stats, width, segmentCount);
        Options = options;
        Signature = signature;
    }

    /// <summary>The number of segments.</summary>
    public int SegmentCount => _stats.SegmentCount;

    /// <summary>The options the corpus was prepared with.</summary>
    public ChrfOptions Options { get; }

    /// <summary>sacreBLEU's signature of this corpus and options.</summary>
    public string Signature { get; }

    /// <summary>The corpus chrF.</summary>
    /// <returns>The score over all segments.</returns>
    public ChrfResult Corpus()
    {
        if (_corpus is null)
        {
            Span<long> sums = stackalloc long[MaxWidth];
            sums = sums[.._stats.Width];
            _stats.SumAll(sums);

            _corpus = new ChrfResult(ChrfComputation.FScore(sums, Options.Beta, Options.EpsSmoothing), Options, Signature);
        }

        return _corpus;
    }

    /// <summary>chrF of the segments at <paramref name="segmentIndices"/> (repetition allowed).</summary>
    /// <param name="segmentIndices">Segment indices.</param>
    /// <returns>The score of that sample.</returns>
    public ChrfResult Score(ReadOnlySpan<int> segmentIndices) =>
        new(ScoreOf(segmentIndices), Options, Signature);

    /// <summary>chrF of one segment (sentence chrF).</summary>
    /// <param name="index">The segment index.</param>
    /// <returns>The segment's score.</returns>
    public ChrfResult SegmentScore(int index) => Score([index]);

    /// <summary>
    /// A scorer for paired bootstrap resampling and confidence intervals: the corpus chrF of a
    /// resample from summed per-segment statistics. It does not allocate and is thread-safe.
    /// </summary>
    /// <returns>The scorer.</returns>
    public SampleScorer CreateSampleScorer() => ScoreOf;

    /// <summary>The statistics of one segment: [hypothesis n-grams, reference n-grams, matches] for each character order, then each word order.</summary>
    /// <param name="index">The segment index.</param>
    /// <returns>The statistics.</returns>
    public IReadOnlyList<int> GetSegmentStatistics(int index)
    {
        return _stats.Row(index).ToArray();
    }

    private double ScoreOf(ReadOnlySpan<int> segmentIndices)
    {
        Span<long> sums = stackalloc long[MaxWidth];
        sums = sums[.._stats.Width];
        _stats.Sum(segmentIndices, sums);

        return ChrfComputation.FScore(sums, Options.Beta, Options.EpsSmoothing);
    }
}
