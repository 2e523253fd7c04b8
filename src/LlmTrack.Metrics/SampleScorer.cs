namespace LlmTrack.Metrics;

/// <summary>
/// Scores a resampled corpus: the corpus metric computed over the segments at
/// <paramref name="segmentIndices"/> (indices may repeat, as in bootstrap resampling).
/// Corpus metrics expose one so that confidence intervals and paired significance tests can
/// resample their per-segment sufficient statistics without recomputing from text.
/// </summary>
/// <param name="segmentIndices">Indices into the original corpus, with repetition.</param>
/// <returns>The corpus score of that sample.</returns>
public delegate double SampleScorer(ReadOnlySpan<int> segmentIndices);
