using LlmTrack.Stores;

namespace LlmTrack.Delivery;

/// <summary>
/// A store that accepts a run's values into a local journal and delivers them to the tracking server later (durable
/// mode). The delivery core and the tracking API test a store for this capability; a store that writes through has
/// none of it, so <see cref="ITrackingStore"/> carries no durable-only concept.
/// </summary>
internal interface IJournalingStore
{
    /// <summary>Makes everything accepted for <paramref name="runId"/> durable (fsync) before the flush returns.</summary>
    ValueTask FlushToDiskAsync(string runId, CancellationToken cancellationToken);

    /// <summary>
    /// The run's counters as the store sees them: <see cref="DeliveryCounters.Durable"/> and
    /// <see cref="DeliveryCounters.Delivered"/> from the journal and its shipper, the journal's drops in
    /// <see cref="DeliveryCounters.Dropped"/> and the server's refusals in <see cref="DeliveryCounters.Failed"/>.
    /// <paramref name="counters"/> are the delivery queue's, whose "delivered" means "accepted by the journal".
    /// </summary>
    DeliveryCounters AdjustCounters(string runId, DeliveryCounters counters);

    /// <summary>
    /// Waits until the server acknowledged (or refused) everything journaled for <paramref name="runId"/> before the
    /// call, for as long as delivery makes progress (<see cref="DurabilityOptions.DrainStallTimeout"/>) and at most
    /// <paramref name="limit"/> (default <see cref="DurabilityOptions.DrainTimeout"/>).
    /// </summary>
    /// <returns>Whether everything was settled; <see langword="true"/> for a run this store does not journal.</returns>
    Task<bool> WaitForDeliveryAsync(string runId, TimeSpan? limit, CancellationToken cancellationToken);

    /// <summary>The journal folder of <paramref name="runId"/>, while it has one.</summary>
    string? JournalFolderOf(string runId);

    /// <summary>
    /// Finds the experiment of a run about to start by calling <paramref name="resolve"/>, bounded by the start timeout;
    /// when the server does not answer and <paramref name="experimentName"/> is known, returns a placeholder that
    /// creating the run resolves by name once the server is back.
    /// </summary>
    Task<string> ResolveExperimentForNewRunAsync(Func<CancellationToken, Task<string>> resolve, string? experimentName, CancellationToken cancellationToken);

    /// <summary>Marks an existing run RUNNING again and opens a journal for it, so what is logged to it is durable.</summary>
    Task<RunInfo> ResumeRunAsync(string runId, string? runName, CancellationToken cancellationToken);

    /// <summary>
    /// Waits for every journal this store is delivering (runs of this process and journals taken over from earlier
    /// processes) for as long as delivery makes progress and at most <see cref="DurabilityOptions.DrainTimeout"/>,
    /// then returns the journals that are still not delivered.
    /// </summary>
    Task<IReadOnlyList<UndeliveredJournal>> DrainAsync(CancellationToken cancellationToken);

    /// <summary>The journals not delivered yet, as they are now (no waiting).</summary>
    IReadOnlyList<UndeliveredJournal> PendingJournals();

    /// <summary>The command that delivers what is left on disk (e.g. <c>llmtrack sync --tracking-uri http://host:5000</c>).</summary>
    string SyncCommand { get; }
}
