using System.Runtime.InteropServices;

namespace LlmTrack.Delivery;

/// <summary>
/// Fills one <c>runs/log-batch</c> request within every <see cref="BatchLimits"/> limit: a pure builder with no I/O.
/// The caller adds values until one is refused, sends <see cref="Metrics"/>, <see cref="Params"/> and
/// <see cref="Tags"/>, calls <see cref="Clear"/> and adds the refused value again.
/// </summary>
/// <remarks>
/// <para>
/// Two rules beyond the counts. A tag key already in the batch is refused, so a tag set twice goes in separate
/// batches and the later value wins, as it would one call at a time. And, when asked, a NaN point identical in key,
/// timestamp and step to one already in the batch is dropped: MLflow's SQL store fails a whole batch that holds two
/// such points, and keeps identical points once anyway.
/// </para>
/// <para>
/// The lists are reused from one batch to the next; whoever receives them must not keep them after
/// <see cref="Clear"/>.
/// </para>
/// </remarks>
internal sealed class LogBatchPacker
{
    private readonly List<Metric> _metrics = new(BatchLimits.MaxMetrics);
    private readonly List<Param> _params = new(BatchLimits.MaxParams);
    private readonly List<Tag> _tags = new(BatchLimits.MaxTags);
    private readonly HashSet<(string Key, long Timestamp, long Step)>? _nanPoints;

    /// <summary>Creates an empty batch.</summary>
    /// <param name="dropRepeatedNaNPoints">Whether a NaN point repeating the key, timestamp and step of one in the batch is dropped.</param>
    public LogBatchPacker(bool dropRepeatedNaNPoints)
    {
        _nanPoints = dropRepeatedNaNPoints ? [] : null;
    }

    /// <summary>The metric points of the batch, in the order added.</summary>
    public List<Metric> Metrics => _metrics;

    /// <summary>The params of the batch, in the order added.</summary>
    public List<Param> Params => _params;

    /// <summary>The tags of the batch, in the order added.</summary>
    public List<Tag> Tags => _tags;

    /// <summary>How many values the batch holds.</summary>
    public int Count => _metrics.Count + _params.Count + _tags.Count;

    /// <summary>How many more metric points fit.</summary>
    public int MetricRoom => Math.Min(BatchLimits.MaxMetrics - _metrics.Count, BatchLimits.MaxItems - Count);

    /// <summary>Adds a param, unless the batch has no room for one.</summary>
    /// <param name="param">The param.</param>
    /// <returns>Whether it was added.</returns>
    public bool TryAdd(Param param)
    {
        if (_params.Count == BatchLimits.MaxParams || Count == BatchLimits.MaxItems)
        {
            return false;
        }

        _params.Add(param);
        return true;
    }

    /// <summary>Adds a tag, unless the batch has no room for one or already sets the same key.</summary>
    /// <param name="tag">The tag.</param>
    /// <returns>Whether it was added.</returns>
    public bool TryAdd(Tag tag)
    {
        if (_tags.Count == BatchLimits.MaxTags || Count == BatchLimits.MaxItems || ContainsTag(tag.Key))
        {
            return false;
        }

        _tags.Add(tag);
        return true;
    }

    /// <summary>
    /// Adds metric points from the start of <paramref name="points"/>, in order, while they fit. Returns how many
    /// were consumed: added, or dropped as repeated NaN points (counted in <paramref name="dropped"/>). Zero means the
    /// batch is full (or <paramref name="points"/> is empty).
    /// </summary>
    /// <param name="points">The points to add.</param>
    /// <param name="dropped">How many of the consumed points were dropped as repeated NaN points.</param>
    /// <returns>How many points were consumed.</returns>
    public int AddMetrics(ReadOnlySpan<Metric> points, out int dropped)
    {
        dropped = 0;
        var next = 0;
        int room;
        while (next < points.Length && (room = MetricRoom) > 0)
        {
            // Copy the run of points up to the next NaN (or the batch's room) in one go.
            var end = Math.Min(next + room, points.Length);
            var nan = next;
            if (_nanPoints is null)
            {
                nan = end;
            }
            else
            {
                while (nan < end && !double.IsNaN(points[nan].Value))
                {
                    nan++;
                }
            }

            if (nan > next)
            {
                var count = _metrics.Count;
                CollectionsMarshal.SetCount(_metrics, count + nan - next);
                points[next..nan].CopyTo(CollectionsMarshal.AsSpan(_metrics)[count..]);
                next = nan;
                continue;
            }

            var point = points[next++];
            if (_nanPoints!.Add((point.Key, point.Timestamp, point.Step)))
            {
                _metrics.Add(point);
            }
            else
            {
                dropped++;
            }
        }

        return next;
    }

    /// <summary>Empties the batch for the next one.</summary>
    public void Clear()
    {
        _metrics.Clear();
        _params.Clear();
        _tags.Clear();
        _nanPoints?.Clear();
    }

    private bool ContainsTag(string key)
    {
        foreach (var tag in _tags)
        {
            if (tag.Key == key)
            {
                return true;
            }
        }

        return false;
    }
}
