using LlmTrack.Rest.Wire;

namespace LlmTrack.Rest.Registry;

// JSON shapes of MLflow's model registry REST API (model_registry.proto). Request properties are declared in
// the order the Python client writes them; null fields are omitted. Versions travel as strings ("1").

internal sealed class WireRegisteredModel
{
    public string? Name { get; set; }

    public long? CreationTimestamp { get; set; }

    public long? LastUpdatedTimestamp { get; set; }

    public string? Description { get; set; }

    public List<WireModelVersion>? LatestVersions { get; set; }

    public List<WireKeyValue>? Tags { get; set; }

    public List<WireAlias>? Aliases { get; set; }
}

internal sealed class WireAlias
{
    public string? Alias { get; set; }

    public string? Version { get; set; }
}

internal sealed class WireModelVersion
{
    public string? Name { get; set; }

    public string? Version { get; set; }

    public long? CreationTimestamp { get; set; }

    public long? LastUpdatedTimestamp { get; set; }

    public string? CurrentStage { get; set; }

    public string? Description { get; set; }

    public string? Source { get; set; }

    public string? RunId { get; set; }

    public string? Status { get; set; }

    public List<WireKeyValue>? Tags { get; set; }

    public List<string>? Aliases { get; set; }

    public string? ModelId { get; set; }
}

internal sealed class CreateRegisteredModelRequest
{
    public string? Name { get; set; }

    public List<WireKeyValue>? Tags { get; set; }

    public string? Description { get; set; }
}

internal sealed class RegisteredModelResponse
{
    public WireRegisteredModel? RegisteredModel { get; set; }
}

internal sealed class RenameRegisteredModelRequest
{
    public string? Name { get; set; }

    public string? NewName { get; set; }
}

internal sealed class UpdateDescriptionRequest
{
    public string? Name { get; set; }

    public string? Version { get; set; }

    public string? Description { get; set; }
}

internal sealed class RegistryNameRequest
{
    public string? Name { get; set; }

    public string? Version { get; set; }
}

internal sealed class RegistryTagRequest
{
    public string? Name { get; set; }

    public string? Version { get; set; }

    public string? Key { get; set; }

    public string? Value { get; set; }
}

internal sealed class SearchRegisteredModelsResponse
{
    public List<WireRegisteredModel>? RegisteredModels { get; set; }

    public string? NextPageToken { get; set; }
}

internal sealed class GetLatestVersionsRequest
{
    public string? Name { get; set; }

    public List<string>? Stages { get; set; }
}

internal sealed class ModelVersionsResponse
{
    public List<WireModelVersion>? ModelVersions { get; set; }

    public string? NextPageToken { get; set; }
}

internal sealed class CreateModelVersionRequest
{
    public string? Name { get; set; }

    public string? Source { get; set; }

    public string? RunId { get; set; }

    public List<WireKeyValue>? Tags { get; set; }

    public string? Description { get; set; }

    public string? ModelId { get; set; }
}

internal sealed class ModelVersionResponse
{
    public WireModelVersion? ModelVersion { get; set; }
}

internal sealed class DownloadUriResponse
{
    public string? ArtifactUri { get; set; }
}

internal sealed class AliasRequest
{
    public string? Name { get; set; }

    public string? Alias { get; set; }

    public string? Version { get; set; }
}

internal sealed class TransitionStageRequest
{
    public string? Name { get; set; }

    public string? Version { get; set; }

    public string? Stage { get; set; }

    public bool ArchiveExistingVersions { get; set; }
}
