namespace LlmTrack.Delivery;

/// <summary>
/// What one flush waits for: the params and tags logged before it, and each thread's metric points published before
/// it, to be sent or failed.
/// </summary>
internal sealed class FlushBarrier
{
    private readonly long _paramsAndTags;
    private readonly (MetricLane Lane, long Produced)[] _lanes;

    /// <summary>Takes the marks to wait for.</summary>
    /// <param name="paramsAndTags">Params and tags logged so far.</param>
    /// <param name="lanes">The lanes so far; each one's published count is read now.</param>
    public FlushBarrier(long paramsAndTags, MetricLane[] lanes)
    {
        _paramsAndTags = paramsAndTags;
        _lanes = new (MetricLane, long)[lanes.Length];
        for (var i = 0; i < lanes.Length; i++)
        {
            _lanes[i] = (lanes[i], Volatile.Read(ref lanes[i].Produced));
        }
    }

    /// <summary>Completed once the barrier is reached.</summary>
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Whether everything the flush waits for was sent or failed.</summary>
    /// <param name="paramsAndTagsCompleted">Params and tags sent or failed so far.</param>
    /// <returns>Whether the barrier is reached.</returns>
    public bool IsReached(long paramsAndTagsCompleted)
    {
        if (paramsAndTagsCompleted < _paramsAndTags)
        {
            return false;
        }

        foreach (var (lane, produced) in _lanes)
        {
            if (Volatile.Read(ref lane.Completed) < produced)
            {
                return false;
            }
        }

        return true;
    }
}
