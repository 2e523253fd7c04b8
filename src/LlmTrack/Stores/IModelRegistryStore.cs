namespace LlmTrack.Stores;

/// <summary>
/// The model registry of a tracking store: registered models, their versions, tags, aliases and legacy stages,
/// with MLflow's error codes and messages (<c>RESOURCE_ALREADY_EXISTS</c>, <c>RESOURCE_DOES_NOT_EXIST</c>,
/// <c>INVALID_PARAMETER_VALUE</c>). Prompts are registered models too (tag <c>mlflow.prompt.is_prompt</c>).
/// </summary>
internal interface IModelRegistryStore
{
    /// <summary>Creates a registered model.</summary>
    Task<RegisteredModel> CreateRegisteredModelAsync(string name, IReadOnlyList<Tag> tags, string? description, CancellationToken cancellationToken);

    /// <summary>Gets a registered model (with its tags, aliases and latest version per stage).</summary>
    Task<RegisteredModel> GetRegisteredModelAsync(string name, CancellationToken cancellationToken);

    /// <summary>Renames a registered model (its versions follow).</summary>
    Task<RegisteredModel> RenameRegisteredModelAsync(string name, string newName, CancellationToken cancellationToken);

    /// <summary>Sets a registered model's description.</summary>
    Task<RegisteredModel> UpdateRegisteredModelAsync(string name, string? description, CancellationToken cancellationToken);

    /// <summary>Deletes a registered model with its versions, tags and aliases.</summary>
    Task DeleteRegisteredModelAsync(string name, CancellationToken cancellationToken);

    /// <summary>Sets (or overwrites) a registered model tag.</summary>
    Task SetRegisteredModelTagAsync(string name, string key, string value, CancellationToken cancellationToken);

    /// <summary>Deletes a registered model tag; a missing key is not an error.</summary>
    Task DeleteRegisteredModelTagAsync(string name, string key, CancellationToken cancellationToken);

    /// <summary>One page of registered models (prompts hidden unless the filter asks for them).</summary>
    Task<Page<RegisteredModel>> SearchRegisteredModelsAsync(string? filter, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken);

    /// <summary>The newest version in each of <paramref name="stages"/> (every stage when null or empty).</summary>
    Task<IReadOnlyList<ModelVersion>> GetLatestVersionsAsync(string name, IReadOnlyList<string>? stages, CancellationToken cancellationToken);

    /// <summary>Creates the next version of a registered model.</summary>
    Task<ModelVersion> CreateModelVersionAsync(ModelVersionRequest request, CancellationToken cancellationToken);

    /// <summary>Gets a model version.</summary>
    Task<ModelVersion> GetModelVersionAsync(string name, int version, CancellationToken cancellationToken);

    /// <summary>Sets a model version's description.</summary>
    Task<ModelVersion> UpdateModelVersionAsync(string name, int version, string? description, CancellationToken cancellationToken);

    /// <summary>Deletes a model version (its number is not reused).</summary>
    Task DeleteModelVersionAsync(string name, int version, CancellationToken cancellationToken);

    /// <summary>Sets (or overwrites) a model version tag.</summary>
    Task SetModelVersionTagAsync(string name, int version, string key, string value, CancellationToken cancellationToken);

    /// <summary>Deletes a model version tag; a missing key is not an error.</summary>
    Task DeleteModelVersionTagAsync(string name, int version, string key, CancellationToken cancellationToken);

    /// <summary>One page of model versions.</summary>
    Task<Page<ModelVersion>> SearchModelVersionsAsync(string? filter, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken);

    /// <summary>Where a version's files can be downloaded from (the source as registered, or its storage location).</summary>
    Task<string> GetModelVersionDownloadUriAsync(string name, int version, CancellationToken cancellationToken);

    /// <summary>Points an alias at a version (moving it when it exists).</summary>
    Task SetRegisteredModelAliasAsync(string name, string alias, int version, CancellationToken cancellationToken);

    /// <summary>Deletes an alias; a missing alias is not an error.</summary>
    Task DeleteRegisteredModelAliasAsync(string name, string alias, CancellationToken cancellationToken);

    /// <summary>The version an alias points to (<c>latest</c>: the newest version).</summary>
    Task<ModelVersion> GetModelVersionByAliasAsync(string name, string alias, CancellationToken cancellationToken);

    /// <summary>Moves a version to a legacy stage, optionally archiving the versions already in that stage.</summary>
    Task<ModelVersion> TransitionModelVersionStageAsync(string name, int version, string stage, bool archiveExistingVersions, CancellationToken cancellationToken);
}

/// <summary>What <c>model-versions/create</c> takes.</summary>
/// <param name="Name">The registered model.</param>
/// <param name="Source">Where the model's files are.</param>
/// <param name="RunId">The run that produced it, if any.</param>
/// <param name="Tags">The version's tags.</param>
/// <param name="Description">The description, if any.</param>
/// <param name="ModelId">The logged model (<c>m-…</c>) it comes from, if any.</param>
internal sealed record ModelVersionRequest(string Name, string Source, string? RunId, IReadOnlyList<Tag> Tags, string? Description, string? ModelId);
