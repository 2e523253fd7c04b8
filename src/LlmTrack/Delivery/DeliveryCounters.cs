namespace LlmTrack;

/// <summary>
/// How many logged values (metric points, params, tags) a run has accepted and what became of them.
/// <c>Logged − Sent − Failed</c> values are still queued or being sent.
/// </summary>
/// <param name="Logged">Values accepted into the queue.</param>
/// <param name="Sent">Values the store accepted.</param>
/// <param name="Retried">Values sent again after the store refused a batch (to isolate the value it refused).</param>
/// <param name="Failed">Values the store did not accept; they are listed by the next flush.</param>
/// <param name="Dropped">Values refused because the queue was full (<see cref="QueueFullPolicy.DropNewest"/>); never in <paramref name="Logged"/>.</param>
public readonly record struct DeliveryCounters(long Logged, long Sent, long Retried, long Failed, long Dropped)
{
    /// <summary>Values accepted but not yet sent or failed.</summary>
    public long Pending => Logged - Sent - Failed;
}
