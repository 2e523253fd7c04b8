namespace LlmTrack.Stores;

/// <summary>
/// MLflow 3 logged models (<c>/api/2.0/mlflow/logged-models</c> on a server, the <c>logged_models</c> tables locally):
/// create, read, finalize, tags, params, delete, search, and the run links (<c>runs/outputs</c>, model inputs, metrics
/// logged for a model). Errors are <see cref="MlflowException"/>s with MLflow's codes and messages.
/// </summary>
internal interface ILoggedModelStore
{
    /// <summary>Creates a model in state PENDING; the store generates the id, a name when none is given, and the artifact location.</summary>
    Task<LoggedModel> CreateLoggedModelAsync(string experimentId, string? name, string? sourceRunId, string? modelType, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, CancellationToken cancellationToken);

    /// <summary>Gets a model with its params, tags and metrics; throws <c>RESOURCE_DOES_NOT_EXIST</c> when missing or deleted.</summary>
    Task<LoggedModel> GetLoggedModelAsync(string modelId, CancellationToken cancellationToken);

    /// <summary>Sets the final state (<see cref="LoggedModelStatus.Ready"/> or <see cref="LoggedModelStatus.UploadFailed"/>).</summary>
    Task<LoggedModel> FinalizeLoggedModelAsync(string modelId, LoggedModelStatus status, CancellationToken cancellationToken);

    /// <summary>Sets (inserts or replaces) tags.</summary>
    Task SetLoggedModelTagsAsync(string modelId, IReadOnlyList<Tag> tags, CancellationToken cancellationToken);

    /// <summary>Deletes one tag; throws <c>RESOURCE_DOES_NOT_EXIST</c> when the model has no such tag.</summary>
    Task DeleteLoggedModelTagAsync(string modelId, string key, CancellationToken cancellationToken);

    /// <summary>Logs parameters.</summary>
    Task LogLoggedModelParamsAsync(string modelId, IReadOnlyList<Param> parameters, CancellationToken cancellationToken);

    /// <summary>Marks a model deleted (deleting twice succeeds on a server).</summary>
    Task DeleteLoggedModelAsync(string modelId, CancellationToken cancellationToken);

    /// <summary>Searches models of experiments, one page at a time (MLflow's logged-model filter syntax).</summary>
    Task<Page<LoggedModel>> SearchLoggedModelsAsync(
        IReadOnlyList<string> experimentIds,
        string? filter,
        IReadOnlyList<LoggedModelOrder>? orderBy,
        IReadOnlyList<LoggedModelDatasetFilter>? datasets,
        int? maxResults,
        string? pageToken,
        CancellationToken cancellationToken);

    /// <summary>Records models as outputs of a run (<c>runs/outputs</c>).</summary>
    Task LogOutputsAsync(string runId, IReadOnlyList<LoggedModelOutput> models, CancellationToken cancellationToken);

    /// <summary>Records models as inputs of a run (<c>runs/log-inputs {models}</c>), as MLflow's client does before a model's first metric.</summary>
    Task LogModelInputsAsync(string runId, IReadOnlyList<string> modelIds, CancellationToken cancellationToken);

    /// <summary>
    /// Logs metric points of a run that belong to a model (each carries <see cref="LoggedModelMetric.ModelId"/> and
    /// optionally its data set): they are run metrics too, and the model's metrics.
    /// </summary>
    Task LogModelMetricsAsync(string runId, IReadOnlyList<LoggedModelMetric> metrics, CancellationToken cancellationToken);

    /// <summary>Lists the direct children of a folder of the model's artifacts (<see langword="null"/> = the root).</summary>
    Task<IReadOnlyList<ArtifactFile>> ListLoggedModelArtifactsAsync(string modelId, string? path, CancellationToken cancellationToken);
}
