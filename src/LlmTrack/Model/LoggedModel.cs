namespace LlmTrack;

/// <summary>The state of an MLflow 3 logged model (<c>LoggedModelStatus</c> in MLflow's protos).</summary>
public enum LoggedModelStatus
{
    /// <summary>Not set (<c>LOGGED_MODEL_STATUS_UNSPECIFIED</c>).</summary>
    Unspecified = 0,

    /// <summary>Created; its files are still being uploaded (<c>LOGGED_MODEL_PENDING</c>).</summary>
    Pending = 1,

    /// <summary>Every file is uploaded (<c>LOGGED_MODEL_READY</c>).</summary>
    Ready = 2,

    /// <summary>An upload failed (<c>LOGGED_MODEL_UPLOAD_FAILED</c>).</summary>
    UploadFailed = 3,
}

/// <summary>
/// An MLflow 3 logged model: a model with its own id (<c>m-</c> + 32 hex), artifact location, params, tags and the
/// metrics logged for it, usually produced by a run (<see cref="SourceRunId"/>).
/// </summary>
public sealed record LoggedModel
{
    /// <summary>The model id (<c>m-</c> followed by 32 lowercase hex characters).</summary>
    public required string ModelId { get; init; }

    /// <summary>The experiment the model belongs to.</summary>
    public required string ExperimentId { get; init; }

    /// <summary>The model's name (generated, e.g. <c>incongruous-ox-620</c>, when none was given).</summary>
    public required string Name { get; init; }

    /// <summary>Where the model's files are: <c>&lt;experiment artifact root&gt;/models/&lt;model id&gt;/artifacts</c>.</summary>
    public string ArtifactUri { get; init; } = "";

    /// <summary>Creation time, Unix epoch milliseconds.</summary>
    public long CreationTimestamp { get; init; }

    /// <summary>Last update time, Unix epoch milliseconds.</summary>
    public long LastUpdatedTimestamp { get; init; }

    /// <summary>The model's state.</summary>
    public LoggedModelStatus Status { get; init; } = LoggedModelStatus.Pending;

    /// <summary>A message about the state, when the store keeps one.</summary>
    public string? StatusMessage { get; init; }

    /// <summary>A free-form type such as <c>agent</c> (empty when not set).</summary>
    public string? ModelType { get; init; }

    /// <summary>The run that produced the model (empty or <see langword="null"/> for an external model).</summary>
    public string? SourceRunId { get; init; }

    /// <summary>The model's tags.</summary>
    public IReadOnlyList<Tag> Tags { get; init; } = [];

    /// <summary>The model's parameters.</summary>
    public IReadOnlyList<Param> Params { get; init; } = [];

    /// <summary>Every metric point logged for the model (by any run), with its data set when one was given.</summary>
    public IReadOnlyList<LoggedModelMetric> Metrics { get; init; } = [];

    /// <summary>The URI MLflow loads the model by: <c>models:/&lt;model id&gt;</c>.</summary>
    public string ModelUri => "models:/" + ModelId;
}

/// <summary>One metric point logged for a logged model.</summary>
/// <param name="Key">The metric key.</param>
/// <param name="Value">The value.</param>
/// <param name="Timestamp">Unix epoch milliseconds.</param>
/// <param name="Step">The step.</param>
public sealed record LoggedModelMetric(string Key, double Value, long Timestamp, long Step)
{
    /// <summary>The run that logged the point.</summary>
    public string? RunId { get; init; }

    /// <summary>The model the point belongs to.</summary>
    public string? ModelId { get; init; }

    /// <summary>The name of the data set the value was computed on, if any.</summary>
    public string? DatasetName { get; init; }

    /// <summary>The digest of that data set, if any.</summary>
    public string? DatasetDigest { get; init; }
}

/// <summary>One sort key of a logged-model search (<c>order_by</c> entry).</summary>
/// <param name="FieldName">An attribute (<c>creation_time</c>, <c>last_updated_timestamp</c>, <c>name</c>, <c>model_type</c>, <c>status</c>, …) or <c>metrics.&lt;key&gt;</c>.</param>
/// <param name="Ascending">Sort ascending (the default) or descending.</param>
/// <param name="DatasetName">For a metric: only points on this data set count.</param>
/// <param name="DatasetDigest">For a metric: only points on the data set with this digest count.</param>
public sealed record LoggedModelOrder(string FieldName, bool Ascending = true, string? DatasetName = null, string? DatasetDigest = null);

/// <summary>A data set a logged-model search restricts metrics to (<c>datasets</c> entry).</summary>
/// <param name="DatasetName">The data set's name.</param>
/// <param name="DatasetDigest">Its digest, or <see langword="null"/> for any digest.</param>
public sealed record LoggedModelDatasetFilter(string DatasetName, string? DatasetDigest = null);

/// <summary>A logged model as an output of a run, at a step (<c>runs/outputs</c>).</summary>
/// <param name="ModelId">The model id.</param>
/// <param name="Step">The step of the run that produced it.</param>
public sealed record LoggedModelOutput(string ModelId, long Step);
