using System.Runtime.InteropServices;
using LlmTrack.Delivery;

namespace LlmTrack.Sync;

/// <summary>One <c>runs/log-batch</c> request's content.</summary>
/// <param name="Metrics">The metric points.</param>
/// <param name="Params">The params.</param>
/// <param name="Tags">The tags.</param>
internal sealed record LogBatch(IReadOnlyList<Metric> Metrics, IReadOnlyList<Param> Params, IReadOnlyList<Tag> Tags);

/// <summary>
/// Collects a run's params, tags and metric points and hands them out as batches packed by a
/// <see cref="LogBatchPacker"/> (the same <see cref="BatchLimits"/> rules as a run's own delivery): params and tags
/// first, metric points in the order added. Only about one batch of points is held at a time.
/// </summary>
/// <remarks>
/// Repeated NaN points are not dropped here: the copier sends only points the target lacks, and counts each one
/// it sends.
/// </remarks>
internal sealed class LogBatchBuffer
{
    private readonly Queue<Param> _params;
    private readonly Queue<Tag> _tags;
    private readonly List<Metric> _metrics = [];
    private readonly LogBatchPacker _packer = new(dropRepeatedNaNPoints: false);

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

        while (_params.TryPeek(out var param) && _packer.TryAdd(param))
        {
            _params.Dequeue();
        }

        while (_tags.TryPeek(out var tag) && _packer.TryAdd(tag))
        {
            _tags.Dequeue();
        }

        var metricCount = _packer.AddMetrics(CollectionsMarshal.AsSpan(_metrics), out _);
        _metrics.RemoveRange(0, metricCount);
        var batch = new LogBatch(_packer.Metrics.ToArray(), _packer.Params.ToArray(), _packer.Tags.ToArray());
        _packer.Clear();
        return batch;
    }
}
