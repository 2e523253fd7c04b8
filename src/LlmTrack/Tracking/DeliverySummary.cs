using System.Globalization;
using System.Text;

namespace LlmTrack;

/// <summary>
/// What a tracker delivered by the time it closed (<see cref="Tracker.CloseAsync"/>): the final counters of every run it
/// started, and the journals still on local disk. <see cref="IsFullyDelivered"/> is the one check a CI job needs:
/// <c>return (await tracker.CloseAsync()).IsFullyDelivered ? 0 : 1;</c>
/// </summary>
/// <param name="Runs">Every run this tracker started or resumed, with its counters when the tracker closed.</param>
/// <param name="Undelivered">Journals (of this process's runs, or taken over from earlier processes) not fully delivered to the server.</param>
/// <param name="SyncCommand">The command that delivers what is left (durable mode), else <see langword="null"/>.</param>
public sealed record DeliverySummary(IReadOnlyList<RunDeliverySummary> Runs, IReadOnlyList<UndeliveredJournal> Undelivered, string? SyncCommand)
{
    /// <summary>Whether every value of every run reached the tracking store and no journal is left on disk.</summary>
    public bool IsFullyDelivered => Undelivered.Count == 0 && Runs.All(r => r.IsFullyDelivered);

    /// <summary>The counters of all runs added up.</summary>
    public DeliveryCounters Total => Runs.Aggregate(
        default(DeliveryCounters),
        (sum, r) => new DeliveryCounters(
            sum.Logged + r.Counters.Logged,
            sum.Durable + r.Counters.Durable,
            sum.Delivered + r.Counters.Delivered,
            sum.Retried + r.Counters.Retried,
            sum.Failed + r.Counters.Failed,
            sum.Dropped + r.Counters.Dropped));

    /// <summary>A message for people: everything delivered, or what is not, where it is and how to deliver it.</summary>
    /// <returns>One line when everything was delivered; otherwise one line per undelivered run and the command.</returns>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        var total = Total;
        if (IsFullyDelivered)
        {
            return string.Create(c, $"LlmTrack: all {total.Delivered} values of {Runs.Count} run(s) were delivered to the tracking store.");
        }

        var text = new StringBuilder();
        text.Append(c, $"LlmTrack: NOT everything reached the tracking store: {total.Pending} value(s) pending, {total.Failed} refused, {total.Dropped} dropped, of {total.Logged} logged ({total.Delivered} delivered).");
        foreach (var run in Runs.Where(r => !r.IsFullyDelivered))
        {
            text.AppendLine().Append(c, $"  run {run.RunId}: {run.Counters}");
        }

        foreach (var journal in Undelivered)
        {
            text.AppendLine().Append(c, $"  journal of run {journal.RunId} kept at {journal.Folder} ({(journal.PendingValues is { } v ? v.ToString(c) + " values, " : "")}{journal.PendingBytes} bytes pending)");
        }

        if (Undelivered.Count > 0 && SyncCommand is not null)
        {
            text.AppendLine().Append(c, $"  Deliver them with: {SyncCommand}");
        }

        return text.ToString();
    }
}

/// <summary>One run's delivery when its tracker closed.</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Counters">Its counters at that moment.</param>
public sealed record RunDeliverySummary(string RunId, DeliveryCounters Counters)
{
    /// <summary>Whether every value of the run reached the tracking store.</summary>
    public bool IsFullyDelivered => Counters.IsFullyDelivered;
}
