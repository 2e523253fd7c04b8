using System.Buffers;
using LlmTrack.Metrics.Numerics;

namespace LlmTrack.Metrics.Rouge;

/// <summary>
/// ROUGE over a corpus: the per-segment scores of each type (the best reference per segment, as
/// rouge-score's <c>score_multi</c>), their means, and <see cref="SampleScorer"/>s for bootstrap
/// confidence intervals. Immutable and thread-safe.
/// </summary>
/// <remarks>
/// Means are plain arithmetic means of each measure over segments, summed in NumPy's pairwise
/// order so that they equal <c>np.mean</c> of rouge-score's per-segment values. The mean
/// F-measure is the mean of per-segment F-measures, not the F-measure of the mean precision and
/// recall. rouge-score's <c>BootstrapAggregator</c> (random resampling) is not reproduced; use
/// <see cref="CreateSampleScorer"/> with the library's bootstrap instead.
/// </remarks>
public sealed class RougeCorpusResult
{
    private readonly RougeType[] _types;
    private readonly RougeScore[][] _scores;
    private readonly Dictionary<RougeType, RougeScore> _means;

    internal RougeCorpusResult(RougeType[] types, RougeScore[][] scores)
    {
        _types = types;
        _scores = scores;
        _means = new Dictionary<RougeType, RougeScore>(types.Length);
        for (var t = 0; t < types.Length; t++)
        {
            var values = new double[scores[t].Length];
            _means[types[t]] = new RougeScore(
                MeanOf(scores[t], RougeMeasure.Precision, values),
                MeanOf(scores[t], RougeMeasure.Recall, values),
                MeanOf(scores[t], RougeMeasure.FMeasure, values));
        }
    }

    /// <summary>The types computed, in the scorer's order.</summary>
    public IReadOnlyList<RougeType> RougeTypes => _types;

    /// <summary>The number of segments (prediction/reference pairs).</summary>
    public int SegmentCount => _scores[0].Length;

    /// <summary>The mean precision, recall and F-measure of each type over all segments.</summary>
    public IReadOnlyDictionary<RougeType, RougeScore> Means => _means;

    /// <summary>The mean precision, recall and F-measure of <paramref name="type"/> over all segments.</summary>
    /// <param name="type">A type the scorer computed.</param>
    /// <returns>The means.</returns>
    /// <exception cref="ArgumentException">The type was not computed.</exception>
    public RougeScore Mean(RougeType type) => _means[_types[IndexOf(type)]];

    /// <summary>The score of <paramref name="type"/> for each segment, in corpus order.</summary>
    /// <param name="type">A type the scorer computed.</param>
    /// <returns>One score per segment.</returns>
    /// <exception cref="ArgumentException">The type was not computed.</exception>
    public IReadOnlyList<RougeScore> SegmentScores(RougeType type) => Array.AsReadOnly(_scores[IndexOf(type)]);

    /// <summary>
    /// A scorer for resampled corpora: the mean of the chosen measure of <paramref name="type"/>
    /// over the segments at the given indices (repetition allowed). With every index once it
    /// equals <see cref="Mean(RougeType)"/>'s value.
    /// </summary>
    /// <param name="type">A type the scorer computed.</param>
    /// <param name="measure">Which of precision, recall and F-measure to average.</param>
    /// <returns>The sample scorer; it throws <see cref="ArgumentException"/> for an empty sample and
    /// <see cref="ArgumentOutOfRangeException"/> for an index outside the corpus.</returns>
    /// <exception cref="ArgumentException">The type was not computed.</exception>
    public SampleScorer CreateSampleScorer(RougeType type, RougeMeasure measure = RougeMeasure.FMeasure)
    {
        var scores = _scores[IndexOf(type)];
        var values = new double[scores.Length];
        for (var i = 0; i < scores.Length; i++)
        {
            values[i] = scores[i].Get(measure);
        }

        return indices =>
        {
            if (indices.IsEmpty)
            {
                throw new ArgumentException("A sample needs at least one segment index.", nameof(indices));
            }

            var buffer = ArrayPool<double>.Shared.Rent(indices.Length);
            try
            {
                for (var i = 0; i < indices.Length; i++)
                {
                    var index = indices[i];
                    if ((uint)index >= (uint)values.Length)
                    {
                        throw new ArgumentOutOfRangeException(nameof(indices), index, $"Segment index outside 0..{values.Length - 1}.");
                    }

                    buffer[i] = values[index];
                }

                return NumpySummation.Mean(buffer.AsSpan(0, indices.Length));
            }
            finally
            {
                ArrayPool<double>.Shared.Return(buffer);
            }
        };
    }

    private static double MeanOf(RougeScore[] scores, RougeMeasure measure, double[] values)
    {
        for (var i = 0; i < scores.Length; i++)
        {
            values[i] = scores[i].Get(measure);
        }

        return NumpySummation.Mean(values);
    }

    private int IndexOf(RougeType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var index = Array.IndexOf(_types, type);
        return index >= 0 ? index : throw new ArgumentException($"ROUGE type '{type.Name}' was not computed.", nameof(type));
    }
}
