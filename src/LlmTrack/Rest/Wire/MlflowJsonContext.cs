using System.Text.Json.Serialization;

namespace LlmTrack.Rest.Wire;

/// <summary>
/// Source-generated System.Text.Json metadata for every MLflow wire type: snake_case names, nulls
/// omitted, int64 fields written as JSON integers and read from numbers or decimal strings, doubles
/// through <see cref="MlflowDoubleConverter"/>. No reflection-based serialization is used.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    Converters = [typeof(MlflowDoubleConverter)])]
[JsonSerializable(typeof(WireError))]
[JsonSerializable(typeof(WireEmpty))]
[JsonSerializable(typeof(CreateExperimentRequest))]
[JsonSerializable(typeof(CreateExperimentResponse))]
[JsonSerializable(typeof(GetExperimentResponse))]
[JsonSerializable(typeof(SearchExperimentsRequest))]
[JsonSerializable(typeof(SearchExperimentsResponse))]
[JsonSerializable(typeof(SetExperimentTagRequest))]
[JsonSerializable(typeof(CreateRunRequest))]
[JsonSerializable(typeof(RunResponse))]
[JsonSerializable(typeof(UpdateRunRequest))]
[JsonSerializable(typeof(UpdateRunResponse))]
[JsonSerializable(typeof(RunIdRequest))]
[JsonSerializable(typeof(LogBatchRequest))]
[JsonSerializable(typeof(SetTagRequest))]
[JsonSerializable(typeof(DeleteTagRequest))]
[JsonSerializable(typeof(SearchRunsRequest))]
[JsonSerializable(typeof(SearchRunsResponse))]
[JsonSerializable(typeof(GetMetricHistoryResponse))]
[JsonSerializable(typeof(LogInputsRequest))]
[JsonSerializable(typeof(ListArtifactsResponse))]
internal sealed partial class MlflowJsonContext : JsonSerializerContext
{
}
