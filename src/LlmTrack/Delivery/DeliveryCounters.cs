namespace LlmTrack;

/// <summary>
/// What became of the values (metric points, params, tags) a run accepted. Every figure counts values, never
/// requests, and only what is true at the moment it was read: <see cref="Delivered"/> counts a value only once the
/// tracking store acknowledged it.
/// </summary>
/// <remarks>
/// In durable mode (an <c>http(s)://</c> tracking URI) a value is first written to the local journal
/// (<see cref="Durable"/>) and then shipped to the server (<see cref="Delivered"/>); a value can be durable for a
/// while before it is delivered, and a process that ends with <see cref="Pending"/> above zero leaves those values on
/// disk for <c>llmtrack sync</c>. Without durable mode <see cref="Durable"/> stays 0 and a value is delivered when the
/// store's call for its batch returned.
/// </remarks>
/// <param name="Logged">Values accepted by a logging call (validated and queued). Values later dropped are not counted here.</param>
/// <param name="Durable">Values written to the local durable journal and forced to disk (fsync), delivered or not; 0 without durable mode.</param>
/// <param name="Delivered">Values the tracking store acknowledged (the server answered success for their batch, or they were found stored after an ambiguous attempt).</param>
/// <param name="Retried">Values sent again after the store refused a batch (to isolate the value it refused).</param>
/// <param name="Failed">Values the store refused for good; they are listed by the next flush (and, in durable mode, kept in the run's <c>dead-letters.jsonl</c>).</param>
/// <param name="Dropped">Values refused because the queue was full (<see cref="QueueFullPolicy.DropNewest"/>) or the journal reached its disk cap; never in <paramref name="Logged"/>.</param>
public readonly record struct DeliveryCounters(long Logged, long Durable, long Delivered, long Retried, long Failed, long Dropped)
{
    /// <summary>Values logged but not yet acknowledged by the store nor refused by it (in memory, or on disk in durable mode).</summary>
    public long Pending => Logged - Delivered - Failed;

    /// <summary>Whether every value logged reached the tracking store: nothing pending, refused or dropped.</summary>
    public bool IsFullyDelivered => Pending == 0 && Failed == 0 && Dropped == 0;

    /// <summary>Every count by name, e.g. <c>DeliveryCounters { Logged = 100000, Durable = 100000, Delivered = 100000, Retried = 0, Failed = 0, Dropped = 0, Pending = 0 }</c>.</summary>
    /// <returns>The counts.</returns>
    public override string ToString() => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"DeliveryCounters {{ Logged = {Logged}, Durable = {Durable}, Delivered = {Delivered}, Retried = {Retried}, Failed = {Failed}, Dropped = {Dropped}, Pending = {Pending} }}");
}
