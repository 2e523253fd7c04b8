using LlmTrack.Rest.Wire;

namespace LlmTrack.Rest.LoggedModels;

// JSON shapes of MLflow 3's logged-model endpoints (observed in logged-models.out). The server omits empty lists
// and unset fields, so every response field is optional; request fields left null are not sent.

/// <summary><c>logged_model.info</c>.</summary>
internal sealed class WireLoggedModelInfo
{
    public string? ModelId { get; set; }

    public string? ExperimentId { get; set; }

    public string? Name { get; set; }

    public long? CreationTimestampMs { get; set; }

    public long? LastUpdatedTimestampMs { get; set; }

    public string? ArtifactUri { get; set; }

    public string? Status { get; set; }

    public string? StatusMessage { get; set; }

    public string? ModelType { get; set; }

    public string? SourceRunId { get; set; }

    public List<WireKeyValue>? Tags { get; set; }
}

/// <summary><c>logged_model.data</c>.</summary>
internal sealed class WireLoggedModelData
{
    public List<WireKeyValue>? Params { get; set; }

    public List<WireModelMetric>? Metrics { get; set; }
}

/// <summary>A logged model (<c>{info, data}</c>).</summary>
internal sealed class WireLoggedModel
{
    public WireLoggedModelInfo? Info { get; set; }

    public WireLoggedModelData? Data { get; set; }
}

/// <summary>A metric point with MLflow 3's model and data set fields (log-batch request and logged-model data).</summary>
internal sealed class WireModelMetric
{
    public string? Key { get; set; }

    public double Value { get; set; }

    public long Timestamp { get; set; }

    public long Step { get; set; }

    public string? DatasetName { get; set; }

    public string? DatasetDigest { get; set; }

    public string? ModelId { get; set; }

    public string? RunId { get; set; }
}

/// <summary>Responses that hold one model (create, get, finalize).</summary>
internal sealed class LoggedModelResponse
{
    public WireLoggedModel? Model { get; set; }
}

/// <summary><c>POST logged-models</c>.</summary>
internal sealed class CreateLoggedModelRequest
{
    public required string ExperimentId { get; set; }

    public string? Name { get; set; }

    public string? ModelType { get; set; }

    public string? SourceRunId { get; set; }

    public List<WireKeyValue>? Params { get; set; }

    public List<WireKeyValue>? Tags { get; set; }
}

/// <summary><c>PATCH logged-models/{id}</c>: the status as the enum NAME.</summary>
internal sealed class FinalizeLoggedModelRequest
{
    public required string ModelId { get; set; }

    public required string Status { get; set; }
}

/// <summary><c>PATCH logged-models/{id}/tags</c>.</summary>
internal sealed class SetLoggedModelTagsRequest
{
    public required List<WireKeyValue> Tags { get; set; }
}

/// <summary><c>POST logged-models/{id}/params</c>: the id is required in the body as well.</summary>
internal sealed class LogLoggedModelParamsRequest
{
    public required string ModelId { get; set; }

    public required List<WireKeyValue> Params { get; set; }
}

/// <summary><c>DELETE logged-models/{id}</c> body, as the Python client sends it.</summary>
internal sealed class DeleteLoggedModelRequest
{
    public required string ModelId { get; set; }
}

/// <summary>An <c>order_by</c> entry of a logged-model search.</summary>
internal sealed class WireLoggedModelOrder
{
    public required string FieldName { get; set; }

    public bool Ascending { get; set; }

    public string? DatasetName { get; set; }

    public string? DatasetDigest { get; set; }
}

/// <summary>A <c>datasets</c> entry of a logged-model search.</summary>
internal sealed class WireDatasetFilter
{
    public required string DatasetName { get; set; }

    public string? DatasetDigest { get; set; }
}

/// <summary><c>POST logged-models/search</c>.</summary>
internal sealed class SearchLoggedModelsRequest
{
    public required List<string> ExperimentIds { get; set; }

    public string? Filter { get; set; }

    public List<WireDatasetFilter>? Datasets { get; set; }

    public int? MaxResults { get; set; }

    public List<WireLoggedModelOrder>? OrderBy { get; set; }

    public string? PageToken { get; set; }
}

/// <summary><c>logged-models/search</c> response.</summary>
internal sealed class SearchLoggedModelsResponse
{
    public List<WireLoggedModel>? Models { get; set; }

    public string? NextPageToken { get; set; }
}

/// <summary>A model entry of <c>runs/outputs</c> / <c>runs/log-inputs</c>.</summary>
internal sealed class WireModelRef
{
    public required string ModelId { get; set; }

    public long? Step { get; set; }
}

/// <summary><c>POST runs/outputs</c> and the models-only <c>runs/log-inputs</c>.</summary>
internal sealed class RunModelsRequest
{
    public required string RunId { get; set; }

    public required List<WireModelRef> Models { get; set; }
}

/// <summary><c>runs/log-batch</c> with model-linked metrics only.</summary>
internal sealed class LogModelMetricsBatchRequest
{
    public required string RunId { get; set; }

    public required List<WireModelMetric> Metrics { get; set; }
}
