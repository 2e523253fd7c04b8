using LlmTrack.Delivery;

namespace LlmTrack.Sync;

/// <summary>One <c>runs/log-batch</c> request's content.</summary>
/// <param name="Metrics">The metric points.</param>
/// <param name="Params">The params.</param>
/// <param name="Tags">The tags.</param>
internal sealed record LogBatch(IReadOnlyList<Metric> Metrics, IReadOnlyList<Param> Params, IReadOnlyList<Tag> Tags);

/// <summary>Splits metrics, params and tags into batches within <see cref="BatchLimits"/>, params and tags first.</summary>
internal static class LogBatchPlanner
{
    /// <summary>The batches, in order; none when all three lists are empty.</summary>
    public static IEnumerable<LogBatch> Plan(IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags)
    {
        int metricIndex = 0, paramIndex = 0, tagIndex = 0;
        while (metricIndex < metrics.Count || paramIndex < parameters.Count || tagIndex < tags.Count)
        {
            var paramCount = Math.Min(BatchLimits.MaxParams, parameters.Count - paramIndex);
            var tagCount = Math.Min(Math.Min(BatchLimits.MaxTags, tags.Count - tagIndex), BatchLimits.MaxItems - paramCount);
            var metricCount = Math.Min(Math.Min(BatchLimits.MaxMetrics, metrics.Count - metricIndex), BatchLimits.MaxItems - paramCount - tagCount);
            yield return new LogBatch(
                Slice(metrics, metricIndex, metricCount),
                Slice(parameters, paramIndex, paramCount),
                Slice(tags, tagIndex, tagCount));
            metricIndex += metricCount;
            paramIndex += paramCount;
            tagIndex += tagCount;
        }
    }

    private static T[] Slice<T>(IReadOnlyList<T> items, int start, int count)
    {
        var slice = new T[count];
        for (var i = 0; i < count; i++)
        {
            slice[i] = items[start + i];
        }

        return slice;
    }
}
