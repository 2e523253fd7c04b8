namespace LlmTrack.Reports;

/// <summary>
/// Bounds a metric history for drawing: a history longer than the limit is cut into buckets of consecutive points
/// (by step order), and each bucket keeps its first point and its lowest and highest value, so spikes and the overall
/// shape survive; the last point is always kept.
/// </summary>
internal static class HistoryDownsampler
{
    public static IReadOnlyList<Metric> Downsample(IReadOnlyList<Metric> history, int maxPoints)
    {
        var ordered = history.OrderBy(m => m.Step).ThenBy(m => m.Timestamp).ToList();
        maxPoints = Math.Max(3, maxPoints);
        if (ordered.Count <= maxPoints)
        {
            return ordered;
        }

        int buckets = maxPoints / 3;
        var kept = new List<Metric>(maxPoints + 1);
        for (int b = 0; b < buckets; b++)
        {
            int start = (int)((long)b * ordered.Count / buckets);
            int end = (int)((long)(b + 1) * ordered.Count / buckets);
            int min = start;
            int max = start;
            for (int i = start + 1; i < end; i++)
            {
                if (ordered[i].Value < ordered[min].Value)
                {
                    min = i;
                }

                if (ordered[i].Value > ordered[max].Value)
                {
                    max = i;
                }
            }

            foreach (int i in new SortedSet<int> { start, min, max })
            {
                kept.Add(ordered[i]);
            }
        }

        if (kept[^1] != ordered[^1])
        {
            kept.Add(ordered[^1]);
        }

        return kept;
    }
}
