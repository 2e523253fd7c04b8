using System.Text.Json.Nodes;

namespace LlmTrack;

/// <summary>
/// An MLflow 3 evaluation data set stored by the tracking server (<c>/api/3.0/mlflow/datasets</c>), as opposed to
/// a data set only logged as a run input. Schema and profile are MLflow's JSON texts.
/// </summary>
public sealed record ManagedEvaluationDataset
{
    /// <summary>The data set's id (<c>d-</c> and 32 hex digits).</summary>
    public required string DatasetId { get; init; }

    /// <summary>The data set's name.</summary>
    public required string Name { get; init; }

    /// <summary>Its tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>The schema JSON (<c>{"inputs": {field: type}, "outputs": {}, "expectations": {...}, "version": "1.0"}</c>), once it has records.</summary>
    public string? Schema { get; init; }

    /// <summary>The profile JSON (<c>{"num_records": N}</c>), once it has records.</summary>
    public string? Profile { get; init; }

    /// <summary>The server's digest (8 hex digits); it changes on every upsert.</summary>
    public string? Digest { get; init; }

    /// <summary>Creation time, epoch milliseconds.</summary>
    public long CreatedTime { get; init; }

    /// <summary>Last change, epoch milliseconds.</summary>
    public long LastUpdateTime { get; init; }

    /// <summary>Who created it, if recorded.</summary>
    public string? CreatedBy { get; init; }

    /// <summary>Who changed it last, if recorded.</summary>
    public string? LastUpdatedBy { get; init; }

    /// <summary>The experiments it is associated with, when the answer carried them (create does; get does not).</summary>
    public IReadOnlyList<string> ExperimentIds { get; init; } = [];
}

/// <summary>One record of a managed evaluation data set: inputs, expectations, outputs and tags.</summary>
public sealed record ManagedDatasetRecord
{
    /// <summary>The record's id (<c>dr-</c> and 32 hex digits); empty before it is stored.</summary>
    public string RecordId { get; init; } = "";

    /// <summary>The example's inputs; records with the same inputs are one record (an upsert updates it).</summary>
    public JsonObject Inputs { get; init; } = [];

    /// <summary>The expected outputs (ground truth).</summary>
    public JsonObject Expectations { get; init; } = [];

    /// <summary>Outputs, if stored.</summary>
    public JsonObject Outputs { get; init; } = [];

    /// <summary>The record's tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>The record's source type (<c>HUMAN</c>, <c>TRACE</c>, …), if recorded.</summary>
    public string? SourceType { get; init; }

    /// <summary>Creation time, epoch milliseconds.</summary>
    public long CreatedTime { get; init; }

    /// <summary>Last change, epoch milliseconds.</summary>
    public long LastUpdateTime { get; init; }
}

/// <summary>The outcome of an upsert of records.</summary>
/// <param name="Inserted">Records added.</param>
/// <param name="Updated">Records whose inputs already existed (their expectations were merged).</param>
public sealed record DatasetUpsertResult(int Inserted, int Updated);
