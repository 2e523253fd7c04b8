using LlmTrack.Delivery;

namespace LlmTrack.Sync;

/// <summary>One <c>runs/log-batch</c> request's content.</summary>
/// <param name="Metrics">The metric points.</param>
/// <param name="Params">The params.</param>
/// <param name="Tags">The tags.</param>
internal sealed record LogBatch(IReadOnlyList<Metric> Metrics, IReadOnlyList<Param> Params, IReadOnlyList<Tag> Tags);

/// <summary>
/// Collects a run's params, tags and metric points and hands them out as batches within <see cref="BatchLimits"/>:
/// params and tags first, metric points in the order added. Only about one batch of points is held at a time.
/// </summary>
internal sealed class LogBatchBuffer
{
    private readonly Queue<Param> _params;
    private readonly Queue<Tag> _tags;
    private readonly List<Metric> _metrics = [];

    /// <summary>Creates a buffer that sends <paramref name="parameters"/> and <paramref name="tags"/> first.</summary>
    /// <param name="parameters">The params to send.</param>
    /// <param name="tags">The tags to send.</param>
    public LogBatchBuffer(IEnumerable<Param> parameters, IEnumerable<Tag> tags)
    {
        _params = new Queue<Param>(parameters);
        _tags = new Queue<Tag>(tags);
    }

    /// <summary>Adds one metric point.</summary>
    /// <param name="metric">The point.</param>
    public void Add(Metric metric) => _metrics.Add(metric);

    /// <summary>
    /// The next batch: when <paramref name="final"/> is false only once a full batch of points is waiting, otherwise
    /// while anything is left; <see langword="null"/> when there is none.
    /// </summary>
    /// <param name="final">Whether no more points will be added.</param>
    /// <returns>The batch, or <see langword="null"/>.</returns>
    public LogBatch? Take(bool final)
    {
        if (final ? _metrics.Count + _params.Count + _tags.Count == 0 : _metrics.Count < BatchLimits.MaxMetrics)
        {
            return null;
        }

        var parameters = Dequeue(_params, Math.Min(BatchLimits.MaxParams, BatchLimits.MaxItems));
        var tags = Dequeue(_tags, Math.Min(BatchLimits.MaxTags, BatchLimits.MaxItems - parameters.Length));
        var metricCount = Math.Min(_metrics.Count, Math.Min(BatchLimits.MaxMetrics, BatchLimits.MaxItems - parameters.Length - tags.Length));
        var metrics = _metrics.GetRange(0, metricCount).ToArray();
        _metrics.RemoveRange(0, metricCount);
        return new LogBatch(metrics, parameters, tags);
    }

    private static T[] Dequeue<T>(Queue<T> queue, int max)
    {
        var items = new T[Math.Min(max, queue.Count)];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = queue.Dequeue();
        }

        return items;
    }
}
