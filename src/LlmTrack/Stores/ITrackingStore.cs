namespace LlmTrack.Stores;

/// <summary>
/// A destination for tracking data: the MLflow REST store or the local MLflow-schema SQLite store,
/// chosen by tracking URI. The delivery core above it is the same for every store; a store never
/// calls back up. Every method is safe to call from several threads at once.
/// </summary>
/// <remarks>
/// Errors are <see cref="MlflowException"/> carrying MLflow's error code (the same codes and, as far
/// as possible, the same messages for every store). Stores validate nothing the delivery core has
/// validated already, but must never store a corrupted value silently.
/// </remarks>
internal interface ITrackingStore : IDisposable
{
    /// <summary>Gets an experiment by name, or <see langword="null"/> when none has that name.</summary>
    Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken cancellationToken);

    /// <summary>Gets an experiment by id; throws <c>RESOURCE_DOES_NOT_EXIST</c> when missing.</summary>
    Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken cancellationToken);

    /// <summary>Creates an experiment and returns its id; throws <c>RESOURCE_ALREADY_EXISTS</c> on a duplicate name.</summary>
    Task<string> CreateExperimentAsync(string name, string? artifactLocation, IReadOnlyList<Tag> tags, CancellationToken cancellationToken);

    /// <summary>Searches experiments (MLflow filter syntax), one page at a time.</summary>
    Task<Page<Experiment>> SearchExperimentsAsync(string? filter, ViewType viewType, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken);

    /// <summary>Sets a tag on an experiment.</summary>
    Task SetExperimentTagAsync(string experimentId, string key, string value, CancellationToken cancellationToken);

    /// <summary>Creates a run (status RUNNING). The store generates the run id and the artifact URI.</summary>
    Task<RunSnapshot> CreateRunAsync(string experimentId, string? runName, long startTime, IReadOnlyList<Tag> tags, CancellationToken cancellationToken);

    /// <summary>Gets a run; throws <c>RESOURCE_DOES_NOT_EXIST</c> when missing.</summary>
    Task<RunSnapshot> GetRunAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Updates a run's status, end time and/or name (<c>runs/update</c>).</summary>
    Task<RunInfo> UpdateRunAsync(string runId, RunStatus? status, long? endTime, string? runName, CancellationToken cancellationToken);

    /// <summary>Marks a run deleted.</summary>
    Task DeleteRunAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Restores a deleted run.</summary>
    Task RestoreRunAsync(string runId, CancellationToken cancellationToken);

    /// <summary>
    /// Logs metrics, params and tags in one request / transaction (<c>runs/log-batch</c>), within the
    /// limits of <see cref="Delivery.BatchLimits"/>. All-or-nothing where the store allows it.
    /// </summary>
    Task LogBatchAsync(string runId, IReadOnlyList<Metric> metrics, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, CancellationToken cancellationToken);

    /// <summary>Sets one run tag.</summary>
    Task SetTagAsync(string runId, string key, string value, CancellationToken cancellationToken);

    /// <summary>Deletes one run tag.</summary>
    Task DeleteTagAsync(string runId, string key, CancellationToken cancellationToken);

    /// <summary>Searches runs (MLflow filter syntax), one page at a time.</summary>
    Task<Page<RunSnapshot>> SearchRunsAsync(IReadOnlyList<string> experimentIds, string? filter, ViewType viewType, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken);

    /// <summary>The full history of one metric of a run (all pages).</summary>
    Task<IReadOnlyList<Metric>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken);

    /// <summary>
    /// Every stored point of one metric of a run whose step lies in [<paramref name="startStep"/>, <paramref name="endStep"/>]
    /// (several points at one step all come back), never a sample. Reads in proportion to the range, not to the run's
    /// whole history, where the store can (the default reads the full history and filters it).
    /// </summary>
    /// <param name="runId">The run.</param>
    /// <param name="key">The metric key.</param>
    /// <param name="startStep">The first step of the range (inclusive).</param>
    /// <param name="endStep">The last step of the range (inclusive); not below <paramref name="startStep"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    async Task<IReadOnlyList<Metric>> GetMetricHistoryRangeAsync(string runId, string key, long startStep, long endStep, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(endStep, startStep);
        var history = await GetMetricHistoryAsync(runId, key, cancellationToken).ConfigureAwait(false);
        return [.. history.Where(m => m.Step >= startStep && m.Step <= endStep)];
    }

    /// <summary>Logs data set inputs of a run (<c>runs/log-inputs</c>).</summary>
    Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> datasets, CancellationToken cancellationToken);

    /// <summary>The artifact repository for a run's <see cref="RunInfo.ArtifactUri"/>.</summary>
    IArtifactRepository GetArtifactRepository(string artifactUri);

    /// <summary>
    /// A further capability of the same destination (the model registry, logged models, traces, …), or
    /// <see langword="null"/> when this store has none. Capabilities are store-layer interfaces declared in
    /// <c>Stores/</c>; a decorator (durable mode) forwards the question to the store it wraps, so the API above
    /// never downcasts to a concrete store. The default answers with the store itself when it implements
    /// <typeparamref name="TCapability"/>.
    /// </summary>
    /// <typeparam name="TCapability">The capability interface.</typeparam>
    TCapability? GetCapability<TCapability>()
        where TCapability : class => this as TCapability;
}

/// <summary>
/// Reads and writes the artifacts under one run's artifact root. Paths are relative, use <c>/</c>,
/// and never contain <c>..</c> or start with <c>/</c> (callers validate; repositories re-check).
/// </summary>
internal interface IArtifactRepository
{
    /// <summary>
    /// Writes one file from <paramref name="openContent"/>. The delegate is called once per attempt,
    /// so a failed upload can be retried from the start; content is streamed, never buffered whole.
    /// </summary>
    Task UploadAsync(string relativePath, Func<CancellationToken, Task<Stream>> openContent, long? length, CancellationToken cancellationToken);

    /// <summary>Lists the direct children of a folder (<see langword="null"/> = the root).</summary>
    Task<IReadOnlyList<ArtifactFile>> ListAsync(string? relativePath, CancellationToken cancellationToken);

    /// <summary>Copies one file into <paramref name="destination"/>.</summary>
    Task DownloadAsync(string relativePath, Stream destination, CancellationToken cancellationToken);
}
