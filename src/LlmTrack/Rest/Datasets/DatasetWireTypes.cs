using System.Text.Json.Serialization;

namespace LlmTrack.Rest.Datasets;

// The JSON shapes of MLflow 3's evaluation-dataset API (datasets.out). Tags and records travel as JSON TEXT.

internal sealed class DatasetWire
{
    public string? DatasetId { get; set; }

    public string? Name { get; set; }

    public string? Tags { get; set; }

    public string? Schema { get; set; }

    public string? Profile { get; set; }

    public string? Digest { get; set; }

    public long CreatedTime { get; set; }

    public long LastUpdateTime { get; set; }

    public string? CreatedBy { get; set; }

    public string? LastUpdatedBy { get; set; }

    public List<string>? ExperimentIds { get; set; }
}

internal sealed class CreateDatasetRequest
{
    public string? Name { get; set; }

    public List<string>? ExperimentIds { get; set; }

    public string? Tags { get; set; }
}

internal sealed class DatasetResponse
{
    public DatasetWire? Dataset { get; set; }
}

internal sealed class UpsertRecordsRequest
{
    public string? Records { get; set; }
}

internal sealed class UpsertRecordsResponse
{
    public int InsertedCount { get; set; }

    public int UpdatedCount { get; set; }
}

internal sealed class GetRecordsResponse
{
    public string? Records { get; set; }

    public string? NextPageToken { get; set; }
}

internal sealed class SearchDatasetsRequest
{
    public List<string>? ExperimentIds { get; set; }

    public string? FilterString { get; set; }

    public int MaxResults { get; set; }

    public List<string>? OrderBy { get; set; }

    public string? PageToken { get; set; }
}

internal sealed class SearchDatasetsResponse
{
    public List<DatasetWire>? Datasets { get; set; }

    public string? NextPageToken { get; set; }
}

internal sealed class SetDatasetTagsRequest
{
    public string? Tags { get; set; }
}

internal sealed class DatasetExperimentsRequest
{
    public string? DatasetId { get; set; }

    public List<string>? ExperimentIds { get; set; }
}

internal sealed class DatasetExperimentIdsResponse
{
    public List<string>? ExperimentIds { get; set; }
}

internal sealed class DatasetEmptyResponse;

/// <summary>Source-generated JSON for the evaluation-dataset API (snake_case, nulls omitted).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(CreateDatasetRequest))]
[JsonSerializable(typeof(DatasetResponse))]
[JsonSerializable(typeof(UpsertRecordsRequest))]
[JsonSerializable(typeof(UpsertRecordsResponse))]
[JsonSerializable(typeof(GetRecordsResponse))]
[JsonSerializable(typeof(SearchDatasetsRequest))]
[JsonSerializable(typeof(SearchDatasetsResponse))]
[JsonSerializable(typeof(SetDatasetTagsRequest))]
[JsonSerializable(typeof(DatasetExperimentsRequest))]
[JsonSerializable(typeof(DatasetExperimentIdsResponse))]
[JsonSerializable(typeof(DatasetEmptyResponse))]
internal sealed partial class DatasetJsonContext : JsonSerializerContext;
