namespace LlmTrack;

/// <summary>
/// The outcome of a flush or of the end of a run: the run's counters at that moment and the failures not reported
/// before (each failure is reported by exactly one flush or by the end of the run).
/// </summary>
/// <param name="Counters">The run's counters when the flush completed.</param>
/// <param name="Failures">Batches the store refused since the previous report (at most <see cref="MaxFailuresKept"/> are kept with their values).</param>
/// <param name="FailuresNotListed">Further failed values that were counted but not kept, because more than <see cref="MaxFailuresKept"/> failures piled up.</param>
public sealed record DeliveryReport(DeliveryCounters Counters, IReadOnlyList<DeliveryFailure> Failures, long FailuresNotListed)
{
    /// <summary>At most this many failures are kept (with their values) between two reports.</summary>
    public const int MaxFailuresKept = 100;

    /// <summary>Whether nothing failed since the previous report.</summary>
    public bool IsSuccess => Failures.Count == 0 && FailuresNotListed == 0;

    /// <summary>The number of values that failed since the previous report.</summary>
    public long FailedCount => Failures.Sum(f => (long)f.Count) + FailuresNotListed;

    /// <summary>
    /// Whether every value the run logged so far reached the tracking store: nothing pending, nothing refused, nothing
    /// dropped. The one check a CI job needs at the end (<c>if (!report.IsFullyDelivered) return 1;</c>).
    /// </summary>
    public bool IsFullyDelivered => Counters.IsFullyDelivered && IsSuccess;

    /// <summary>
    /// In durable mode, the journal folder that keeps the values not delivered yet (delivered later by this process, the
    /// next process using the same tracking server, or <c>llmtrack sync</c>); <see langword="null"/> otherwise.
    /// </summary>
    public string? JournalFolder { get; init; }
}
