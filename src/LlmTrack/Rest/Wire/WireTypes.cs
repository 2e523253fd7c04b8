namespace LlmTrack.Rest.Wire;

// JSON shapes of the MLflow REST API (mlflow/protos/service.proto), named in C# style; the
// serializer context maps them to snake_case. Request types leave optional fields null so that
// they are omitted; response types tolerate missing fields because the server omits defaults.

/// <summary>A key/value pair (<c>ExperimentTag</c>, <c>RunTag</c>, <c>Param</c>, <c>InputTag</c>).</summary>
internal sealed class WireKeyValue
{
    public string? Key { get; set; }

    public string? Value { get; set; }
}

/// <summary>One metric point.</summary>
internal sealed class WireMetric
{
    public string? Key { get; set; }

    public double Value { get; set; }

    public long Timestamp { get; set; }

    public long Step { get; set; }
}

/// <summary>An experiment as returned by the server.</summary>
internal sealed class WireExperiment
{
    public string? ExperimentId { get; set; }

    public string? Name { get; set; }

    public string? ArtifactLocation { get; set; }

    public string? LifecycleStage { get; set; }

    public long? LastUpdateTime { get; set; }

    public long? CreationTime { get; set; }

    public List<WireKeyValue>? Tags { get; set; }
}

/// <summary>Run metadata.</summary>
internal sealed class WireRunInfo
{
    public string? RunId { get; set; }

    public string? RunUuid { get; set; }

    public string? ExperimentId { get; set; }

    public string? RunName { get; set; }

    public string? UserId { get; set; }

    public string? Status { get; set; }

    public long? StartTime { get; set; }

    public long? EndTime { get; set; }

    public string? ArtifactUri { get; set; }

    public string? LifecycleStage { get; set; }
}

/// <summary>Run data: latest metrics, params and tags.</summary>
internal sealed class WireRunData
{
    public List<WireMetric>? Metrics { get; set; }

    public List<WireKeyValue>? Params { get; set; }

    public List<WireKeyValue>? Tags { get; set; }
}

/// <summary>A data set.</summary>
internal sealed class WireDataset
{
    public string? Name { get; set; }

    public string? Digest { get; set; }

    public string? SourceType { get; set; }

    public string? Source { get; set; }

    public string? Schema { get; set; }

    public string? Profile { get; set; }
}

/// <summary>A data set input of a run.</summary>
internal sealed class WireDatasetInput
{
    public List<WireKeyValue>? Tags { get; set; }

    public WireDataset? Dataset { get; set; }
}

/// <summary>Run inputs.</summary>
internal sealed class WireRunInputs
{
    public List<WireDatasetInput>? DatasetInputs { get; set; }
}

/// <summary>A run.</summary>
internal sealed class WireRun
{
    public WireRunInfo? Info { get; set; }

    public WireRunData? Data { get; set; }

    public WireRunInputs? Inputs { get; set; }
}

/// <summary>An artifact listing entry.</summary>
internal sealed class WireFileInfo
{
    public string? Path { get; set; }

    public bool IsDir { get; set; }

    public long? FileSize { get; set; }
}

/// <summary>The error body of a failed request.</summary>
internal sealed class WireError
{
    public string? ErrorCode { get; set; }

    public string? Message { get; set; }
}

/// <summary>A response whose fields are ignored (<c>{}</c>).</summary>
internal sealed class WireEmpty
{
}

/// <summary><c>experiments/create</c> request.</summary>
internal sealed class CreateExperimentRequest
{
    public required string Name { get; set; }

    public string? ArtifactLocation { get; set; }

    public List<WireKeyValue>? Tags { get; set; }
}

/// <summary><c>experiments/create</c> response.</summary>
internal sealed class CreateExperimentResponse
{
    public string? ExperimentId { get; set; }
}

/// <summary><c>experiments/get</c> and <c>experiments/get-by-name</c> response.</summary>
internal sealed class GetExperimentResponse
{
    public WireExperiment? Experiment { get; set; }
}

/// <summary><c>experiments/search</c> request.</summary>
internal sealed class SearchExperimentsRequest
{
    public long MaxResults { get; set; }

    public string? PageToken { get; set; }

    public string? Filter { get; set; }

    public List<string>? OrderBy { get; set; }

    public string? ViewType { get; set; }
}

/// <summary><c>experiments/search</c> response.</summary>
internal sealed class SearchExperimentsResponse
{
    public List<WireExperiment>? Experiments { get; set; }

    public string? NextPageToken { get; set; }
}

/// <summary><c>experiments/set-experiment-tag</c> request.</summary>
internal sealed class SetExperimentTagRequest
{
    public required string ExperimentId { get; set; }

    public required string Key { get; set; }

    public required string Value { get; set; }
}

/// <summary><c>runs/create</c> request.</summary>
internal sealed class CreateRunRequest
{
    public required string ExperimentId { get; set; }

    public string? UserId { get; set; }

    public string? RunName { get; set; }

    public long StartTime { get; set; }

    public List<WireKeyValue>? Tags { get; set; }
}

/// <summary><c>runs/create</c> and <c>runs/get</c> response.</summary>
internal sealed class RunResponse
{
    public WireRun? Run { get; set; }
}

/// <summary><c>runs/update</c> request.</summary>
internal sealed class UpdateRunRequest
{
    public required string RunId { get; set; }

    public string? Status { get; set; }

    public long? EndTime { get; set; }

    public string? RunName { get; set; }
}

/// <summary><c>runs/update</c> response.</summary>
internal sealed class UpdateRunResponse
{
    public WireRunInfo? RunInfo { get; set; }
}

/// <summary>A request that names only a run (<c>runs/delete</c>, <c>runs/restore</c>).</summary>
internal sealed class RunIdRequest
{
    public required string RunId { get; set; }
}

/// <summary><c>runs/log-batch</c> request.</summary>
internal sealed class LogBatchRequest
{
    public required string RunId { get; set; }

    public List<WireMetric>? Metrics { get; set; }

    public List<WireKeyValue>? Params { get; set; }

    public List<WireKeyValue>? Tags { get; set; }
}

/// <summary><c>runs/set-tag</c> request.</summary>
internal sealed class SetTagRequest
{
    public required string RunId { get; set; }

    public required string Key { get; set; }

    public required string Value { get; set; }
}

/// <summary><c>runs/delete-tag</c> request.</summary>
internal sealed class DeleteTagRequest
{
    public required string RunId { get; set; }

    public required string Key { get; set; }
}

/// <summary><c>runs/search</c> request.</summary>
internal sealed class SearchRunsRequest
{
    public required List<string> ExperimentIds { get; set; }

    public string? Filter { get; set; }

    public string? RunViewType { get; set; }

    public long MaxResults { get; set; }

    public List<string>? OrderBy { get; set; }

    public string? PageToken { get; set; }
}

/// <summary><c>runs/search</c> response.</summary>
internal sealed class SearchRunsResponse
{
    public List<WireRun>? Runs { get; set; }

    public string? NextPageToken { get; set; }
}

/// <summary><c>metrics/get-history</c> response.</summary>
internal sealed class GetMetricHistoryResponse
{
    public List<WireMetric>? Metrics { get; set; }

    public string? NextPageToken { get; set; }
}

/// <summary><c>runs/log-inputs</c> request.</summary>
internal sealed class LogInputsRequest
{
    public required string RunId { get; set; }

    public required List<WireDatasetInput> Datasets { get; set; }
}

/// <summary>Artifact listing response (<c>mlflow-artifacts/artifacts</c> and <c>mlflow/artifacts/list</c>).</summary>
internal sealed class ListArtifactsResponse
{
    public string? RootUri { get; set; }

    public List<WireFileInfo>? Files { get; set; }
}
