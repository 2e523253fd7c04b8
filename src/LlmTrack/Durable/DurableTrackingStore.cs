using LlmTrack.Configuration;
using LlmTrack.Delivery;
using LlmTrack.Journal;
using LlmTrack.Stores;
using Microsoft.Extensions.Logging;

namespace LlmTrack.Durable;

/// <summary>
/// Durable mode for remote tracking: a decorator over the MLflow REST store. Every run's logged values go to a local
/// <see cref="RunJournal"/> (fast, no network) and a background shipper per run delivers them; a record leaves the
/// journal only after the server accepted it. Runs start locally when the server is unreachable and are created on the
/// server when it is back; journals left by earlier processes of the same tracking server are delivered at start.
/// </summary>
/// <remarks>
/// Reads (<see cref="GetRunAsync"/>, searches, metric history, experiments) go to the server, with local run ids
/// translated to the server's once mapped. The parts live in their own types: <see cref="JournalRoot"/> (where the
/// journals are), <see cref="OfflineRunStart"/> (starting runs whether or not the server answers),
/// <see cref="JournalRecovery"/> (journals of earlier processes), <see cref="DurableRunRegistry"/> (the runs and their
/// ids), <see cref="DeliveryDrain"/> (waiting for delivery) and <see cref="PendingRunArtifactRepository"/>; this type
/// wires them and delegates to them.
/// </remarks>
internal sealed class DurableTrackingStore : ITrackingStore, IJournalingStore, IAsyncDisposable
{
    /// <summary>Artifact URI scheme of a run that exists only locally (the server was unreachable at its start).</summary>
    public const string LocalArtifactScheme = "llmtrack-journal:";

    private readonly ILogger _logger;
    private readonly OfflineRunStart _start;
    private readonly JournalRecovery _recovery;
    private readonly DeliveryDrain _drain;
    private long _deadLetters;
    private int _disposed;

    /// <summary>Creates the store; <see cref="RecoverAsync"/> delivers journals of earlier processes.</summary>
    /// <param name="inner">The remote store (owned: disposed with this one).</param>
    /// <param name="trackingUri">The tracking URI (its redacted form chooses the journal sub-folder).</param>
    /// <param name="durability">The durable-mode settings.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="loggerFactory">Where warnings go.</param>
    public DurableTrackingStore(ITrackingStore inner, string trackingUri, DurabilityOptions durability, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        Inner = inner;
        Durability = durability;
        TimeProvider = timeProvider;
        _logger = loggerFactory.CreateLogger<DurableTrackingStore>();
        JournalOptions = JournalRoot.CreateJournalOptions(trackingUri, durability, timeProvider, _logger);
        SyncCommand = JournalRoot.SyncCommand(trackingUri, durability);
        _start = new OfflineRunStart(this, _logger);
        _recovery = new JournalRecovery(this, _logger);
        _drain = new DeliveryDrain(Runs, durability, timeProvider, () => ServerAnswers());
    }

    /// <inheritdoc />
    public string SyncCommand { get; }

    /// <summary>
    /// The store a tracker uses for <paramref name="trackingUri"/>: <paramref name="store"/> itself, or — for an
    /// <c>http(s)://</c> server with durable mode on — this decorator over it, with the delivery of journals left by
    /// earlier processes started in the background.
    /// </summary>
    public static ITrackingStore WrapWhenDurable(ITrackingStore store, string? trackingUri, DurabilityOptions? durability, TimeProvider timeProvider, ILoggerFactory loggerFactory, Func<long>? serverAnswers = null)
    {
        if (durability is not { Enabled: true } || !TrackingUri.IsHttp(trackingUri?.Trim()))
        {
            return store;
        }

        var durable = new DurableTrackingStore(store, trackingUri!.Trim(), durability, timeProvider, loggerFactory) { ServerAnswers = serverAnswers ?? (static () => 0) };
        durable.StartRecovery();
        return durable;
    }

    /// <summary>
    /// The number of HTTP answers the server gave so far (any status), when the store can tell; waits for delivery
    /// count a change as progress, so a live server retried through a long back-off does not look stalled.
    /// </summary>
    internal Func<long> ServerAnswers { get; init; } = static () => 0;

    /// <summary>The wrapped remote store.</summary>
    public ITrackingStore Inner { get; }

    /// <summary>The settings.</summary>
    public DurabilityOptions Durability { get; }

    /// <summary>The clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The journal settings (root = this tracking server's sub-folder).</summary>
    public JournalOptions JournalOptions { get; }

    /// <summary>The background recovery started by <see cref="StartRecovery"/>.</summary>
    public Task Recovery { get; private set; } = Task.CompletedTask;

    /// <summary>Items refused by the server (dead letters) since this store was created.</summary>
    public long DeadLetterCount => Interlocked.Read(ref _deadLetters);

    /// <summary>The runs of this store and their ids.</summary>
    internal DurableRunRegistry Runs { get; } = new();

    /// <summary>Starts delivering, in the background, the journals of this tracking server that no live process owns.</summary>
    public void StartRecovery() => Recovery = Task.Run(() => RecoverAsync(stopWhenUnavailable: false, CancellationToken.None));

    /// <summary>
    /// Takes over every journal under this server's root that nobody holds: a run left RUNNING by a dead process is
    /// ended FAILED at its last activity first; then each is shipped in the background.
    /// </summary>
    /// <returns>The shippers started.</returns>
    public Task<IReadOnlyList<DurableRun>> RecoverAsync(bool stopWhenUnavailable, CancellationToken cancellationToken) =>
        _recovery.RecoverAsync(stopWhenUnavailable, cancellationToken);

    /// <summary>Whether <paramref name="runId"/> is a journaled run of this process.</summary>
    public bool IsDurableRun(string runId) => Runs.IsOpen(runId);

    /// <summary>Forces the journal of <paramref name="runId"/> to disk (the delivery core's flush); no-op for other runs.</summary>
    public ValueTask FlushToDiskAsync(string runId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Runs.TryGetOpen(runId, out var run))
        {
            run.FlushToDisk();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The delivery counters of a run as they truly are: durable and delivered from the journal and its shipper, the
    /// journal's drops and the server's dead letters applied. The queue's "delivered" only meant "in the journal".
    /// </summary>
    public DeliveryCounters AdjustCounters(string runId, DeliveryCounters counters)
    {
        if (!Runs.TryGetStarted(runId, out var run))
        {
            return counters;
        }

        var dropped = run.DroppedItems;
        var dead = run.DeadLetters;
        return counters with
        {
            Logged = counters.Logged - dropped,
            Durable = run.DurableItems,
            Delivered = run.DeliveredItems,
            Failed = counters.Failed + dead,
            Dropped = counters.Dropped + dropped,
        };
    }

    /// <summary>
    /// Waits until the server acknowledged or refused every value journaled for <paramref name="runId"/> so far (or the
    /// run's shipping ended), for as long as delivery makes progress.
    /// </summary>
    public Task<bool> WaitForDeliveryAsync(string runId, TimeSpan? limit, CancellationToken cancellationToken) =>
        _drain.WaitForDeliveryAsync(runId, limit, cancellationToken);

    /// <inheritdoc />
    public string? JournalFolderOf(string runId) =>
        Runs.TryGetStarted(runId, out var run) && !run.Shipped.IsCompletedSuccessfully ? run.Journal.Folder : null;

    /// <summary>
    /// Waits for every journal being shipped (this process's runs and journals taken over from earlier processes) for
    /// as long as any of them makes progress, at most <see cref="DurabilityOptions.DrainTimeout"/> in all, and returns
    /// those still not delivered. Later calls of <see cref="Dispose"/> do not wait again.
    /// </summary>
    public Task<IReadOnlyList<UndeliveredJournal>> DrainAsync(CancellationToken cancellationToken) => _drain.DrainAsync(cancellationToken);

    /// <inheritdoc />
    public IReadOnlyList<UndeliveredJournal> PendingJournals() => _drain.Undelivered();

    /// <summary>Counts an item the server refused (a dead letter).</summary>
    internal void CountDeadLetter() => Interlocked.Increment(ref _deadLetters);

    /// <inheritdoc />
    public Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken) => Inner.GetExperimentByNameAsync(name, cancellationToken);

    /// <inheritdoc />
    public Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken cancellationToken) => Inner.GetExperimentAsync(experimentId, cancellationToken);

    /// <inheritdoc />
    public Task<string> CreateExperimentAsync(string name, string? artifactLocation, IReadOnlyList<Tag> tags, CancellationToken cancellationToken) =>
        Inner.CreateExperimentAsync(name, artifactLocation, tags, cancellationToken);

    /// <inheritdoc />
    public Task<Page<Experiment>> SearchExperimentsAsync(string? filter, ViewType viewType, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken) =>
        Inner.SearchExperimentsAsync(filter, viewType, maxResults, orderBy, pageToken, cancellationToken);

    /// <inheritdoc />
    public Task SetExperimentTagAsync(string experimentId, string key, string value, CancellationToken cancellationToken) =>
        Inner.SetExperimentTagAsync(experimentId, key, value, cancellationToken);

    /// <summary>
    /// Creates the run on the server within <see cref="DurabilityOptions.StartTimeout"/> and journals it; when the
    /// server is unreachable, starts it locally (a new 32-hex id) and lets the shipper create it on the server later.
    /// </summary>
    public Task<RunSnapshot> CreateRunAsync(string experimentId, string? runName, long startTime, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _start.CreateRunAsync(experimentId, runName, startTime, tags, cancellationToken);
    }

    /// <summary>
    /// Gives the server <see cref="DurabilityOptions.StartTimeout"/> to resolve the experiment; when it does not answer
    /// and the experiment has a name, the run starts anyway and the name is resolved when the run is delivered.
    /// </summary>
    public Task<string> ResolveExperimentForNewRunAsync(Func<CancellationToken, Task<string>> resolve, string? experimentName, CancellationToken cancellationToken) =>
        _start.ResolveExperimentAsync(resolve, experimentName, cancellationToken);

    /// <summary>
    /// Resumes the run on the server and opens a journal for it (already mapped to the server's run), so values
    /// logged to a resumed run are journaled and shipped like those of a new run, and a crash leaves them on disk.
    /// </summary>
    public async Task<RunInfo> ResumeRunAsync(string runId, string? runName, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Runs.IsOpen(runId))
        {
            return await UpdateRunAsync(runId, RunStatus.Running, null, runName, cancellationToken).ConfigureAwait(false);
        }

        var serverRunId = Runs.ServerIdOrThrow(runId);
        var info = await Inner.UpdateRunAsync(serverRunId, RunStatus.Running, null, runName, cancellationToken).ConfigureAwait(false);
        try
        {
            // A journal of its own (a new local id): the run's earlier journal may still be on disk, being delivered.
            var journal = RunJournal.Create(JournalOptions, new RunCreatedRecord(Guid.NewGuid().ToString("N"), info.ExperimentId, null, info.RunName, info.StartTime, null, [], JournalOwner.Current));
            journal.MapServerRun(serverRunId, JournalArtifactUri.ForJournal(info.ArtifactUri));
            Runs.MapServerId(serverRunId, serverRunId);
            Register(serverRunId, journal);
        }
        catch (JournalException ex)
        {
            _logger.LogError(ex, "LlmTrack could not create the journal of resumed run {RunId} ({Message}); the run is tracked without durable mode.", serverRunId, ex.Message);
        }

        return info;
    }

    /// <inheritdoc />
    public Task<RunSnapshot> GetRunAsync(string runId, CancellationToken cancellationToken) =>
        Inner.GetRunAsync(Runs.ServerIdOrThrow(runId), cancellationToken);

    /// <summary>
    /// Ending a journaled run writes <see cref="RunEndedRecord"/> durably and waits for the shipper to deliver everything,
    /// for as long as delivery makes progress (<see cref="DurabilityOptions.DrainStallTimeout"/>, at most
    /// <see cref="DurabilityOptions.DrainTimeout"/>); what is left stays on disk and is delivered in the background, by
    /// the next process or by <c>llmtrack sync</c> (the run's counters and end report say how much).
    /// </summary>
    public async Task<RunInfo> UpdateRunAsync(string runId, RunStatus? status, long? endTime, string? runName, CancellationToken cancellationToken)
    {
        if (!Runs.TryGetOpen(runId, out var run) || status is null or RunStatus.Running or RunStatus.Scheduled)
        {
            return await Inner.UpdateRunAsync(Runs.ServerIdOrThrow(runId), status, endTime, runName, cancellationToken).ConfigureAwait(false);
        }

        var end = endTime ?? TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        run.End(status.Value, end);
        Runs.Close(runId);
        await run.WaitForProgressAsync(() => run.Shipped.IsCompleted, Durability.DrainStallTimeout, Durability.DrainTimeout, cancellationToken).ConfigureAwait(false);
        if (run.Shipped.IsFaulted)
        {
            _logger.LogWarning(run.Shipped.Exception?.GetBaseException(), "LlmTrack: run {RunId} ended {Status}; its journal stays at {Folder} for the next process or `{Command}`.", runId, status, run.Journal.Folder, SyncCommand);
        }

        if (run.Shipped.IsCompletedSuccessfully && run.FinalInfo is { } info)
        {
            return info with { RunId = runId };
        }

        var state = run.Journal.State;
        return new RunInfo
        {
            RunId = runId,
            ExperimentId = state.ExperimentId ?? "",
            RunName = state.RunName,
            Status = status.Value,
            StartTime = state.StartTime,
            EndTime = end,
            ArtifactUri = state.ArtifactUri ?? LocalArtifactScheme + run.LocalRunId,
        };
    }

    /// <inheritdoc />
    public Task DeleteRunAsync(string runId, CancellationToken cancellationToken) => Inner.DeleteRunAsync(Runs.ServerIdOrThrow(runId), cancellationToken);

    /// <inheritdoc />
    public Task RestoreRunAsync(string runId, CancellationToken cancellationToken) => Inner.RestoreRunAsync(Runs.ServerIdOrThrow(runId), cancellationToken);

    /// <summary>Appends the batch to the run's journal (no network); other runs pass straight to the server.</summary>
    public Task LogBatchAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        if (!Runs.TryGetOpen(runId, out var run))
        {
            return Inner.LogBatchAsync(Runs.ServerIdOrThrow(runId), metrics, parameters, tags, cancellationToken);
        }

        run.Append(metrics, parameters, tags);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task SetTagAsync(string runId, string key, string value, CancellationToken cancellationToken)
    {
        if (!Runs.TryGetOpen(runId, out var run))
        {
            return Inner.SetTagAsync(Runs.ServerIdOrThrow(runId), key, value, cancellationToken);
        }

        run.Append([], [], [new Tag(key, value)]);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task DeleteTagAsync(string runId, string key, CancellationToken cancellationToken) => Inner.DeleteTagAsync(Runs.ServerIdOrThrow(runId), key, cancellationToken);

    /// <inheritdoc />
    public Task<Page<RunSnapshot>> SearchRunsAsync(IReadOnlyList<string> experimentIds, string? filter, ViewType viewType, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken) =>
        Inner.SearchRunsAsync(experimentIds, filter, viewType, maxResults, orderBy, pageToken, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Metric>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken) =>
        Inner.GetMetricHistoryAsync(Runs.ServerIdOrThrow(runId), key, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Metric>> GetMetricHistoryRangeAsync(string runId, string key, long startStep, long endStep, CancellationToken cancellationToken) =>
        Inner.GetMetricHistoryRangeAsync(Runs.ServerIdOrThrow(runId), key, startStep, endStep, cancellationToken);

    /// <inheritdoc />
    public Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> datasets, CancellationToken cancellationToken)
    {
        if (!Runs.TryGetOpen(runId, out var run))
        {
            return Inner.LogInputsAsync(Runs.ServerIdOrThrow(runId), datasets, cancellationToken);
        }

        run.Append(new DatasetInputsRecord([.. datasets]));
        return Task.CompletedTask;
    }

    /// <summary>
    /// Capabilities other than tracking (registry, logged models, traces) are not journaled: they are the wrapped
    /// store's, and go to the server directly.
    /// </summary>
    public TCapability? GetCapability<TCapability>()
        where TCapability : class => this as TCapability ?? Inner.GetCapability<TCapability>();

    /// <summary>
    /// The artifact repository of a run. For a run started while the server was unreachable, uploads are spooled into
    /// the run's journal folder and delivered by the shipper; listing and downloading serve the spooled files.
    /// </summary>
    public IArtifactRepository GetArtifactRepository(string artifactUri)
    {
        if (artifactUri.StartsWith(LocalArtifactScheme, StringComparison.Ordinal))
        {
            return new PendingRunArtifactRepository(Runs, Inner, artifactUri[LocalArtifactScheme.Length..]);
        }

        return Inner.GetArtifactRepository(artifactUri);
    }

    /// <summary>
    /// Drains (<see cref="DrainAsync"/>) unless that was done already, stops the shippers (the rest stays on disk,
    /// with a warning saying where and how to deliver it) and disposes the server store.
    /// </summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// Reports what is not delivered when the owner did not drain (the tracker drains first and reports itself), stops
    /// every shipper (bounded on the store's clock; the journals stay on disk) and disposes the wrapped store.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (!_drain.Drained)
        {
            foreach (var journal in await DrainAsync(CancellationToken.None).ConfigureAwait(false))
            {
                _logger.LogWarning(
                    "LlmTrack: run {RunId} is not fully delivered to the tracking server; its journal stays at {Folder} ({PendingBytes} bytes) and is delivered by the next process that uses LlmTrack with this tracking server, or by `{Command}`.",
                    journal.RunId,
                    journal.Folder,
                    journal.PendingBytes,
                    SyncCommand);
            }
        }

        await Runs.StopShippingAsync().ConfigureAwait(false);
        Inner.Dispose();
    }

    /// <summary>Journals a run of this process (known to the tracker as <paramref name="runId"/>) and starts shipping it.</summary>
    internal void Register(string runId, RunJournal journal) => Runs.AddLive(runId, new DurableRun(this, journal, live: true, _logger));
}
