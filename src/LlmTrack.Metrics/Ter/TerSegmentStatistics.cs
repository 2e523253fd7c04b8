namespace LlmTrack.Metrics.Ter;

/// <summary>
/// The sufficient statistics of one segment (sacreBLEU's <c>[best_num_edits, avg_ref_len]</c>):
/// corpus TER sums them over segments.
/// </summary>
/// <param name="NumEdits">Edits against the reference that needs the fewest.</param>
/// <param name="RefLength">Average length, in words, of the segment's references.</param>
public readonly record struct TerSegmentStatistics(int NumEdits, double RefLength);
