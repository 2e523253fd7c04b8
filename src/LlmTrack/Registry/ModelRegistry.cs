using LlmTrack.Stores;

namespace LlmTrack;

/// <summary>
/// MLflow's model registry of the tracker's store (<c>tracker.Models</c>): registered models, versions, tags,
/// aliases, legacy stages, model URIs and downloads. Errors are <see cref="MlflowException"/>s with MLflow's codes:
/// <c>RESOURCE_ALREADY_EXISTS</c>, <c>RESOURCE_DOES_NOT_EXIST</c>, <c>INVALID_PARAMETER_VALUE</c>.
/// </summary>
public sealed partial class ModelRegistry
{
    private const int PageSize = 1000;
    private readonly IModelRegistryStore _registry;
    private readonly ITrackingStore _store;

    internal ModelRegistry(IModelRegistryStore registry, ITrackingStore store)
    {
        _registry = registry;
        _store = store;
    }

    /// <summary>
    /// Resolves an MLflow 3 logged model id (<c>m-…</c>) to its artifact URI; set from the store's logged-model
    /// capability. Null when the store has none.
    /// </summary>
    internal Func<string, CancellationToken, Task<string>>? LoggedModelArtifactUri { get; init; }

    /// <summary>Creates a registered model.</summary>
    /// <param name="name">The unique name.</param>
    /// <param name="description">An optional description.</param>
    /// <param name="tags">Optional tags.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new model.</returns>
    public Task<RegisteredModel> CreateModelAsync(string name, string? description = null, IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _registry.CreateRegisteredModelAsync(name, ToTags(tags), description, cancellationToken);
    }

    /// <summary>Gets a registered model.</summary>
    /// <param name="name">The name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The model with its tags, aliases and latest version per stage.</returns>
    public Task<RegisteredModel> GetModelAsync(string name, CancellationToken cancellationToken = default) =>
        _registry.GetRegisteredModelAsync(name, cancellationToken);

    /// <summary>Renames a registered model.</summary>
    /// <param name="name">The current name.</param>
    /// <param name="newName">The new name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The renamed model.</returns>
    public Task<RegisteredModel> RenameModelAsync(string name, string newName, CancellationToken cancellationToken = default) =>
        _registry.RenameRegisteredModelAsync(name, newName, cancellationToken);

    /// <summary>Sets a registered model's description.</summary>
    /// <param name="name">The model.</param>
    /// <param name="description">The new description.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated model.</returns>
    public Task<RegisteredModel> UpdateModelDescriptionAsync(string name, string description, CancellationToken cancellationToken = default) =>
        _registry.UpdateRegisteredModelAsync(name, description, cancellationToken);

    /// <summary>Deletes a registered model with all its versions.</summary>
    /// <param name="name">The model.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the model is deleted.</returns>
    public Task DeleteModelAsync(string name, CancellationToken cancellationToken = default) =>
        _registry.DeleteRegisteredModelAsync(name, cancellationToken);

    /// <summary>Sets a registered model tag.</summary>
    /// <param name="name">The model.</param>
    /// <param name="key">The tag key.</param>
    /// <param name="value">The tag value.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the tag is set.</returns>
    public Task SetModelTagAsync(string name, string key, string value, CancellationToken cancellationToken = default) =>
        _registry.SetRegisteredModelTagAsync(name, key, value, cancellationToken);

    /// <summary>Deletes a registered model tag (a missing key is not an error).</summary>
    /// <param name="name">The model.</param>
    /// <param name="key">The tag key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the tag is gone.</returns>
    public Task DeleteModelTagAsync(string name, string key, CancellationToken cancellationToken = default) =>
        _registry.DeleteRegisteredModelTagAsync(name, key, cancellationToken);

    /// <summary>Every registered model a search matches, over all pages (prompts are not listed).</summary>
    /// <param name="filter">MLflow's filter: <c>name LIKE 'x%'</c>, <c>name = 'a'</c>, <c>tags.team = 'x'</c>; null for all.</param>
    /// <param name="orderBy">E.g. <c>name DESC</c>, <c>last_updated_timestamp DESC</c>; default name ascending.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The models.</returns>
    public IAsyncEnumerable<RegisteredModel> SearchModelsAsync(string? filter = null, IReadOnlyList<string>? orderBy = null, CancellationToken cancellationToken = default) =>
        TrackingStoreExtensions.FollowPagesAsync((token, ct) => _registry.SearchRegisteredModelsAsync(filter, PageSize, orderBy, token, ct), cancellationToken);

    /// <summary>The newest version in each legacy stage (or in <paramref name="stages"/>).</summary>
    /// <param name="name">The model.</param>
    /// <param name="stages">The stages; null for every stage.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The versions.</returns>
    public Task<IReadOnlyList<ModelVersion>> GetLatestVersionsAsync(string name, IReadOnlyList<string>? stages = null, CancellationToken cancellationToken = default) =>
        _registry.GetLatestVersionsAsync(name, stages, cancellationToken);

    /// <summary>
    /// Registers a model's files as a new version, creating the registered model when it does not exist yet
    /// (MLflow's <c>register_model</c>). A <c>runs:/run_id/path</c> source records its run id.
    /// </summary>
    /// <param name="source">Where the files are: <c>runs:/run_id/path</c>, an artifact URI, <c>models:/m-…</c>.</param>
    /// <param name="name">The registered model.</param>
    /// <param name="description">An optional description of the version.</param>
    /// <param name="tags">Optional version tags.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new version.</returns>
    public async Task<ModelVersion> RegisterAsync(string source, string name, string? description = null, IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        try
        {
            await _registry.CreateRegisteredModelAsync(name, [], null, cancellationToken).ConfigureAwait(false);
        }
        catch (MlflowException ex) when (ex.ErrorCode == MlflowErrorCode.ResourceAlreadyExists)
        {
        }

        var uri = ModelUri.TryParse(source, out var parsed) ? parsed : null;
        return await CreateVersionAsync(name, source, uri?.RunId, description, tags, uri?.LoggedModelId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates the next version of an existing registered model.</summary>
    /// <param name="name">The registered model.</param>
    /// <param name="source">Where the files are.</param>
    /// <param name="runId">The run that produced them, if any.</param>
    /// <param name="description">An optional description.</param>
    /// <param name="tags">Optional version tags.</param>
    /// <param name="loggedModelId">The MLflow 3 logged model (<c>m-…</c>) it is promoted from, if any.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new version.</returns>
    public Task<ModelVersion> CreateVersionAsync(string name, string source, string? runId = null, string? description = null, IReadOnlyDictionary<string, string>? tags = null, string? loggedModelId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(source);
        return _registry.CreateModelVersionAsync(new ModelVersionRequest(name, source, runId, ToTags(tags), description, loggedModelId), cancellationToken);
    }

    /// <summary>Gets a model version.</summary>
    /// <param name="name">The model.</param>
    /// <param name="version">The version number.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The version.</returns>
    public Task<ModelVersion> GetVersionAsync(string name, int version, CancellationToken cancellationToken = default) =>
        _registry.GetModelVersionAsync(name, version, cancellationToken);

    /// <summary>Sets a version's description.</summary>
    /// <param name="name">The model.</param>
    /// <param name="version">The version number.</param>
    /// <param name="description">The new description.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated version.</returns>
    public Task<ModelVersion> UpdateVersionDescriptionAsync(string name, int version, string description, CancellationToken cancellationToken = default) =>
        _registry.UpdateModelVersionAsync(name, version, description, cancellationToken);

    /// <summary>Deletes a version (its number is never reused).</summary>
    /// <param name="name">The model.</param>
    /// <param name="version">The version number.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the version is deleted.</returns>
    public Task DeleteVersionAsync(string name, int version, CancellationToken cancellationToken = default) =>
        _registry.DeleteModelVersionAsync(name, version, cancellationToken);

    /// <summary>Sets a version tag.</summary>
    /// <param name="name">The model.</param>
    /// <param name="version">The version number.</param>
    /// <param name="key">The tag key.</param>
    /// <param name="value">The tag value.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the tag is set.</returns>
    public Task SetVersionTagAsync(string name, int version, string key, string value, CancellationToken cancellationToken = default) =>
        _registry.SetModelVersionTagAsync(name, version, key, value, cancellationToken);

    /// <summary>Deletes a version tag (a missing key is not an error).</summary>
    /// <param name="name">The model.</param>
    /// <param name="version">The version number.</param>
    /// <param name="key">The tag key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the tag is gone.</returns>
    public Task DeleteVersionTagAsync(string name, int version, string key, CancellationToken cancellationToken = default) =>
        _registry.DeleteModelVersionTagAsync(name, version, key, cancellationToken);

    /// <summary>Every model version a search matches, over all pages.</summary>
    /// <param name="filter">E.g. <c>name = 'm'</c>, <c>run_id = '…'</c>, <c>source_path LIKE 'mlflow-artifacts%'</c>, <c>tags.k = 'v'</c>.</param>
    /// <param name="orderBy">E.g. <c>version_number DESC</c>; default newest change first.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The versions.</returns>
    public IAsyncEnumerable<ModelVersion> SearchVersionsAsync(string? filter = null, IReadOnlyList<string>? orderBy = null, CancellationToken cancellationToken = default) =>
        TrackingStoreExtensions.FollowPagesAsync((token, ct) => _registry.SearchModelVersionsAsync(filter, PageSize, orderBy, token, ct), cancellationToken);

    /// <summary>Where a version's files can be downloaded from (its source as registered).</summary>
    /// <param name="name">The model.</param>
    /// <param name="version">The version number.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The URI.</returns>
    public Task<string> GetDownloadUriAsync(string name, int version, CancellationToken cancellationToken = default) =>
        _registry.GetModelVersionDownloadUriAsync(name, version, cancellationToken);

    /// <summary>Points an alias (e.g. <c>champion</c>) at a version, moving it if it exists.</summary>
    /// <param name="name">The model.</param>
    /// <param name="alias">The alias: letters, digits, <c>_</c> and <c>-</c>; not <c>latest</c> nor <c>v&lt;digits&gt;</c>.</param>
    /// <param name="version">The version number.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the alias is set.</returns>
    public Task SetAliasAsync(string name, string alias, int version, CancellationToken cancellationToken = default) =>
        _registry.SetRegisteredModelAliasAsync(name, alias, version, cancellationToken);

    /// <summary>Deletes an alias (a missing alias is not an error).</summary>
    /// <param name="name">The model.</param>
    /// <param name="alias">The alias.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the alias is gone.</returns>
    public Task DeleteAliasAsync(string name, string alias, CancellationToken cancellationToken = default) =>
        _registry.DeleteRegisteredModelAliasAsync(name, alias, cancellationToken);

    /// <summary>The version an alias points to.</summary>
    /// <param name="name">The model.</param>
    /// <param name="alias">The alias.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The version.</returns>
    public Task<ModelVersion> GetVersionByAliasAsync(string name, string alias, CancellationToken cancellationToken = default) =>
        _registry.GetModelVersionByAliasAsync(name, alias, cancellationToken);

    /// <summary>Moves a version to a legacy stage (<see cref="ModelStage"/>; case-insensitive).</summary>
    /// <param name="name">The model.</param>
    /// <param name="version">The version number.</param>
    /// <param name="stage">The stage.</param>
    /// <param name="archiveExistingVersions">Whether the versions already in <paramref name="stage"/> move to Archived (Staging and Production only).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The version in its new stage.</returns>
    public Task<ModelVersion> TransitionStageAsync(string name, int version, string stage, bool archiveExistingVersions = false, CancellationToken cancellationToken = default) =>
        _registry.TransitionModelVersionStageAsync(name, version, stage, archiveExistingVersions, cancellationToken);

    private static List<Tag> ToTags(IReadOnlyDictionary<string, string>? tags) =>
        tags is null ? [] : [.. tags.Select(t => new Tag(t.Key, t.Value))];
}
