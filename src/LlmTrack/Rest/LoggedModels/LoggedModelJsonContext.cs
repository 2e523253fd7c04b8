using System.Text.Json.Serialization;
using LlmTrack.Rest.Wire;

namespace LlmTrack.Rest.LoggedModels;

/// <summary>Source-generated JSON metadata of the logged-model wire types (same options as <see cref="MlflowJsonContext"/>).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    Converters = [typeof(MlflowDoubleConverter)])]
[JsonSerializable(typeof(LoggedModelResponse))]
[JsonSerializable(typeof(CreateLoggedModelRequest))]
[JsonSerializable(typeof(FinalizeLoggedModelRequest))]
[JsonSerializable(typeof(SetLoggedModelTagsRequest))]
[JsonSerializable(typeof(LogLoggedModelParamsRequest))]
[JsonSerializable(typeof(DeleteLoggedModelRequest))]
[JsonSerializable(typeof(SearchLoggedModelsRequest))]
[JsonSerializable(typeof(SearchLoggedModelsResponse))]
[JsonSerializable(typeof(RunModelsRequest))]
[JsonSerializable(typeof(LogModelMetricsBatchRequest))]
[JsonSerializable(typeof(ListArtifactsResponse))]
[JsonSerializable(typeof(WireEmpty))]
internal sealed partial class LoggedModelJsonContext : JsonSerializerContext;
