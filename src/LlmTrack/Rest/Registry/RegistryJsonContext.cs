using System.Text.Json.Serialization;
using LlmTrack.Rest.Wire;

namespace LlmTrack.Rest.Registry;

/// <summary>Source-generated JSON metadata of the model registry's wire types (snake_case, nulls omitted).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(WireEmpty))]
[JsonSerializable(typeof(CreateRegisteredModelRequest))]
[JsonSerializable(typeof(RegisteredModelResponse))]
[JsonSerializable(typeof(RenameRegisteredModelRequest))]
[JsonSerializable(typeof(UpdateDescriptionRequest))]
[JsonSerializable(typeof(RegistryNameRequest))]
[JsonSerializable(typeof(RegistryTagRequest))]
[JsonSerializable(typeof(SearchRegisteredModelsResponse))]
[JsonSerializable(typeof(GetLatestVersionsRequest))]
[JsonSerializable(typeof(ModelVersionsResponse))]
[JsonSerializable(typeof(CreateModelVersionRequest))]
[JsonSerializable(typeof(ModelVersionResponse))]
[JsonSerializable(typeof(DownloadUriResponse))]
[JsonSerializable(typeof(AliasRequest))]
[JsonSerializable(typeof(TransitionStageRequest))]
internal sealed partial class RegistryJsonContext : JsonSerializerContext
{
}
