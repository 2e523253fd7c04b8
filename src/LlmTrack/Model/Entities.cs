namespace LlmTrack;

/// <summary>One point of a metric's history.</summary>
/// <param name="Key">The metric key.</param>
/// <param name="Value">The value; NaN and ±∞ are allowed and sent as MLflow expects.</param>
/// <param name="Timestamp">Unix epoch milliseconds, taken when the value was logged.</param>
/// <param name="Step">The step (0 when not given).</param>
public readonly record struct Metric(string Key, double Value, long Timestamp, long Step);

/// <summary>A run parameter. Parameters are immutable once logged.</summary>
/// <param name="Key">The parameter key.</param>
/// <param name="Value">The value (at most 6000 characters).</param>
public readonly record struct Param(string Key, string Value);

/// <summary>A tag on a run or an experiment.</summary>
/// <param name="Key">The tag key.</param>
/// <param name="Value">The value (at most 8000 characters for a run tag, 5000 for an experiment tag).</param>
public readonly record struct Tag(string Key, string Value);

/// <summary>An MLflow experiment.</summary>
public sealed record Experiment
{
    /// <summary>The experiment id (a decimal string, e.g. <c>"0"</c> for Default).</summary>
    public required string ExperimentId { get; init; }

    /// <summary>The unique experiment name.</summary>
    public required string Name { get; init; }

    /// <summary>Where artifacts of new runs go (e.g. <c>mlflow-artifacts:/1</c> or a local folder).</summary>
    public string? ArtifactLocation { get; init; }

    /// <summary><c>active</c> or <c>deleted</c>.</summary>
    public string LifecycleStage { get; init; } = "active";

    /// <summary>Creation time, Unix epoch milliseconds.</summary>
    public long? CreationTime { get; init; }

    /// <summary>Last update time, Unix epoch milliseconds.</summary>
    public long? LastUpdateTime { get; init; }

    /// <summary>The experiment's tags.</summary>
    public IReadOnlyList<Tag> Tags { get; init; } = [];
}

/// <summary>Metadata of a run.</summary>
public sealed record RunInfo
{
    /// <summary>The run id (32 lowercase hex characters on MLflow's stores).</summary>
    public required string RunId { get; init; }

    /// <summary>The experiment the run belongs to.</summary>
    public required string ExperimentId { get; init; }

    /// <summary>The run's display name.</summary>
    public string? RunName { get; init; }

    /// <summary>The user who created the run.</summary>
    public string? UserId { get; init; }

    /// <summary>The run's status.</summary>
    public RunStatus Status { get; init; } = RunStatus.Running;

    /// <summary>Start time, Unix epoch milliseconds.</summary>
    public long StartTime { get; init; }

    /// <summary>End time, Unix epoch milliseconds, once the run ended.</summary>
    public long? EndTime { get; init; }

    /// <summary>The root URI of the run's artifacts (<c>mlflow-artifacts:/…</c>, a path or a <c>file:</c> URI).</summary>
    public string ArtifactUri { get; init; } = "";

    /// <summary><c>active</c> or <c>deleted</c>.</summary>
    public string LifecycleStage { get; init; } = "active";
}

/// <summary>The logged data of a run: the latest value of each metric, params and tags.</summary>
public sealed record RunData
{
    /// <summary>For each metric key, the point with the highest (step, timestamp, value).</summary>
    public IReadOnlyList<Metric> Metrics { get; init; } = [];

    /// <summary>The run's parameters.</summary>
    public IReadOnlyList<Param> Params { get; init; } = [];

    /// <summary>The run's tags, including MLflow's system tags (<c>mlflow.*</c>).</summary>
    public IReadOnlyList<Tag> Tags { get; init; } = [];
}

/// <summary>A run as stored: metadata, data and the data sets it used.</summary>
public sealed record RunSnapshot
{
    /// <summary>Run metadata.</summary>
    public required RunInfo Info { get; init; }

    /// <summary>Latest metrics, params and tags.</summary>
    public RunData Data { get; init; } = new();

    /// <summary>Data sets logged as inputs of the run.</summary>
    public IReadOnlyList<DatasetInput> Inputs { get; init; } = [];
}

/// <summary>A data set as MLflow records it (<c>runs/log-inputs</c>).</summary>
public sealed record Dataset
{
    /// <summary>The data set's name.</summary>
    public required string Name { get; init; }

    /// <summary>A short content digest (8 hex characters for MLflow's own data sets).</summary>
    public required string Digest { get; init; }

    /// <summary>The kind of source, e.g. <c>local</c>, <c>http</c>, <c>code</c>.</summary>
    public required string SourceType { get; init; }

    /// <summary>The source as a JSON string, e.g. <c>{"uri":"data/eval.tsv"}</c>.</summary>
    public required string Source { get; init; }

    /// <summary>The schema as a JSON string, e.g. <c>{"mlflow_colspec":[…]}</c>.</summary>
    public string? Schema { get; init; }

    /// <summary>The profile as a JSON string, e.g. <c>{"num_rows":10,"num_elements":20}</c>.</summary>
    public string? Profile { get; init; }
}

/// <summary>A data set used by a run, with input tags such as <c>mlflow.data.context</c>.</summary>
/// <param name="Dataset">The data set.</param>
/// <param name="Tags">Input tags (e.g. <c>mlflow.data.context</c> = <c>eval</c>).</param>
public sealed record DatasetInput(Dataset Dataset, IReadOnlyList<Tag> Tags);

/// <summary>A file or folder in a run's artifacts.</summary>
/// <param name="Path">Path relative to the run's artifact root, with <c>/</c> separators.</param>
/// <param name="IsDirectory">Whether it is a folder.</param>
/// <param name="FileSize">Size in bytes for files.</param>
public sealed record ArtifactFile(string Path, bool IsDirectory, long? FileSize);

/// <summary>One page of a paged search.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="Items">The items on this page.</param>
/// <param name="NextPageToken">The token for the next page, or <see langword="null"/> on the last page.</param>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextPageToken);
