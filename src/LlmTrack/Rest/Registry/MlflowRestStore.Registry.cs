using System.Text;
using System.Text.Json.Serialization.Metadata;
using LlmTrack.Rest.Registry;
using LlmTrack.Rest.Wire;
using LlmTrack.Stores;

namespace LlmTrack.Rest;

/// <summary>
/// The model registry over MLflow's REST API: <c>registered-models/*</c> and <c>model-versions/*</c> with the
/// Python client's wire shapes (JSON bodies on DELETE, PATCH for updates, versions as strings).
/// </summary>
internal sealed partial class MlflowRestStore : IModelRegistryStore
{
    private static RegistryJsonContext Registry => RegistryJsonContext.Default;

    /// <inheritdoc />
    public async Task<RegisteredModel> CreateRegisteredModelAsync(string name, IReadOnlyList<Tag> tags, string? description, CancellationToken cancellationToken)
    {
        var request = new CreateRegisteredModelRequest { Name = name, Tags = tags.Count == 0 ? null : WireMapping.ToWire(tags), Description = description };
        var body = await SendRegistryAsync(HttpMethod.Post, "registered-models/create", request, Registry.CreateRegisteredModelRequest, Registry.RegisteredModelResponse, cancellationToken).ConfigureAwait(false);
        return RegistryWireMapping.ToModel(body.RegisteredModel ?? throw MissingField("registered_model"));
    }

    /// <inheritdoc />
    public async Task<RegisteredModel> GetRegisteredModelAsync(string name, CancellationToken cancellationToken)
    {
        var body = await GetAsync(Api + "registered-models/get" + Query(("name", name)), Registry.RegisteredModelResponse, cancellationToken).ConfigureAwait(false);
        return RegistryWireMapping.ToModel(body.RegisteredModel ?? throw MissingField("registered_model"));
    }

    /// <inheritdoc />
    public async Task<RegisteredModel> RenameRegisteredModelAsync(string name, string newName, CancellationToken cancellationToken)
    {
        var request = new RenameRegisteredModelRequest { Name = name, NewName = newName };
        var body = await SendRegistryAsync(HttpMethod.Post, "registered-models/rename", request, Registry.RenameRegisteredModelRequest, Registry.RegisteredModelResponse, cancellationToken).ConfigureAwait(false);
        return RegistryWireMapping.ToModel(body.RegisteredModel ?? throw MissingField("registered_model"));
    }

    /// <inheritdoc />
    public async Task<RegisteredModel> UpdateRegisteredModelAsync(string name, string? description, CancellationToken cancellationToken)
    {
        var request = new UpdateDescriptionRequest { Name = name, Description = description };
        var body = await SendRegistryAsync(HttpMethod.Patch, "registered-models/update", request, Registry.UpdateDescriptionRequest, Registry.RegisteredModelResponse, cancellationToken).ConfigureAwait(false);
        return RegistryWireMapping.ToModel(body.RegisteredModel ?? throw MissingField("registered_model"));
    }

    /// <inheritdoc />
    public Task DeleteRegisteredModelAsync(string name, CancellationToken cancellationToken) =>
        SendRegistryAsync(HttpMethod.Delete, "registered-models/delete", new RegistryNameRequest { Name = name }, Registry.RegistryNameRequest, Registry.WireEmpty, cancellationToken);

    /// <inheritdoc />
    public Task SetRegisteredModelTagAsync(string name, string key, string value, CancellationToken cancellationToken) =>
        SendRegistryAsync(HttpMethod.Post, "registered-models/set-tag", new RegistryTagRequest { Name = name, Key = key, Value = value }, Registry.RegistryTagRequest, Registry.WireEmpty, cancellationToken);

    /// <inheritdoc />
    public Task DeleteRegisteredModelTagAsync(string name, string key, CancellationToken cancellationToken) =>
        SendRegistryAsync(HttpMethod.Delete, "registered-models/delete-tag", new RegistryTagRequest { Name = name, Key = key }, Registry.RegistryTagRequest, Registry.WireEmpty, cancellationToken);

    /// <inheritdoc />
    public async Task<Page<RegisteredModel>> SearchRegisteredModelsAsync(string? filter, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken)
    {
        var body = await GetAsync(Api + "registered-models/search" + SearchQuery(filter, maxResults, orderBy, pageToken), Registry.SearchRegisteredModelsResponse, cancellationToken).ConfigureAwait(false);
        return new Page<RegisteredModel>(body.RegisteredModels is null ? [] : [.. body.RegisteredModels.Select(RegistryWireMapping.ToModel)], NullIfEmpty(body.NextPageToken));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ModelVersion>> GetLatestVersionsAsync(string name, IReadOnlyList<string>? stages, CancellationToken cancellationToken)
    {
        var request = new GetLatestVersionsRequest { Name = name, Stages = stages is { Count: > 0 } ? [.. stages] : null };
        var body = await SendRegistryAsync(HttpMethod.Post, "registered-models/get-latest-versions", request, Registry.GetLatestVersionsRequest, Registry.ModelVersionsResponse, cancellationToken).ConfigureAwait(false);
        return body.ModelVersions is null ? [] : [.. body.ModelVersions.Select(RegistryWireMapping.ToModel)];
    }

    /// <inheritdoc />
    public async Task<ModelVersion> CreateModelVersionAsync(ModelVersionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var wire = new CreateModelVersionRequest
        {
            Name = request.Name,
            Source = request.Source,
            RunId = request.RunId,
            Tags = request.Tags.Count == 0 ? null : WireMapping.ToWire(request.Tags),
            Description = request.Description,
            ModelId = request.ModelId,
        };
        var body = await SendRegistryAsync(HttpMethod.Post, "model-versions/create", wire, Registry.CreateModelVersionRequest, Registry.ModelVersionResponse, cancellationToken).ConfigureAwait(false);
        return RegistryWireMapping.ToModel(body.ModelVersion ?? throw MissingField("model_version"));
    }

    /// <inheritdoc />
    public async Task<ModelVersion> GetModelVersionAsync(string name, int version, CancellationToken cancellationToken)
    {
        var body = await GetAsync(Api + "model-versions/get" + Query(("name", name), ("version", RegistryWireMapping.Version(version))), Registry.ModelVersionResponse, cancellationToken).ConfigureAwait(false);
        return RegistryWireMapping.ToModel(body.ModelVersion ?? throw MissingField("model_version"));
    }

    /// <inheritdoc />
    public async Task<ModelVersion> UpdateModelVersionAsync(string name, int version, string? description, CancellationToken cancellationToken)
    {
        var request = new UpdateDescriptionRequest { Name = name, Version = RegistryWireMapping.Version(version), Description = description };
        var body = await SendRegistryAsync(HttpMethod.Patch, "model-versions/update", request, Registry.UpdateDescriptionRequest, Registry.ModelVersionResponse, cancellationToken).ConfigureAwait(false);
        return RegistryWireMapping.ToModel(body.ModelVersion ?? throw MissingField("model_version"));
    }

    /// <inheritdoc />
    public Task DeleteModelVersionAsync(string name, int version, CancellationToken cancellationToken) =>
        SendRegistryAsync(HttpMethod.Delete, "model-versions/delete", new RegistryNameRequest { Name = name, Version = RegistryWireMapping.Version(version) }, Registry.RegistryNameRequest, Registry.WireEmpty, cancellationToken);

    /// <inheritdoc />
    public Task SetModelVersionTagAsync(string name, int version, string key, string value, CancellationToken cancellationToken) =>
        SendRegistryAsync(HttpMethod.Post, "model-versions/set-tag", new RegistryTagRequest { Name = name, Version = RegistryWireMapping.Version(version), Key = key, Value = value }, Registry.RegistryTagRequest, Registry.WireEmpty, cancellationToken);

    /// <inheritdoc />
    public Task DeleteModelVersionTagAsync(string name, int version, string key, CancellationToken cancellationToken) =>
        SendRegistryAsync(HttpMethod.Delete, "model-versions/delete-tag", new RegistryTagRequest { Name = name, Version = RegistryWireMapping.Version(version), Key = key }, Registry.RegistryTagRequest, Registry.WireEmpty, cancellationToken);

    /// <inheritdoc />
    public async Task<Page<ModelVersion>> SearchModelVersionsAsync(string? filter, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken)
    {
        var body = await GetAsync(Api + "model-versions/search" + SearchQuery(filter, maxResults, orderBy, pageToken), Registry.ModelVersionsResponse, cancellationToken).ConfigureAwait(false);
        return new Page<ModelVersion>(body.ModelVersions is null ? [] : [.. body.ModelVersions.Select(RegistryWireMapping.ToModel)], NullIfEmpty(body.NextPageToken));
    }

    /// <inheritdoc />
    public async Task<string> GetModelVersionDownloadUriAsync(string name, int version, CancellationToken cancellationToken)
    {
        var body = await GetAsync(Api + "model-versions/get-download-uri" + Query(("name", name), ("version", RegistryWireMapping.Version(version))), Registry.DownloadUriResponse, cancellationToken).ConfigureAwait(false);
        return body.ArtifactUri ?? throw MissingField("artifact_uri");
    }

    /// <inheritdoc />
    public Task SetRegisteredModelAliasAsync(string name, string alias, int version, CancellationToken cancellationToken) =>
        SendRegistryAsync(HttpMethod.Post, "registered-models/alias", new AliasRequest { Name = name, Alias = alias, Version = RegistryWireMapping.Version(version) }, Registry.AliasRequest, Registry.WireEmpty, cancellationToken);

    /// <inheritdoc />
    public Task DeleteRegisteredModelAliasAsync(string name, string alias, CancellationToken cancellationToken) =>
        SendRegistryAsync(HttpMethod.Delete, "registered-models/alias", new AliasRequest { Name = name, Alias = alias }, Registry.AliasRequest, Registry.WireEmpty, cancellationToken);

    /// <inheritdoc />
    public async Task<ModelVersion> GetModelVersionByAliasAsync(string name, string alias, CancellationToken cancellationToken)
    {
        var body = await GetAsync(Api + "registered-models/alias" + Query(("name", name), ("alias", alias)), Registry.ModelVersionResponse, cancellationToken).ConfigureAwait(false);
        return RegistryWireMapping.ToModel(body.ModelVersion ?? throw MissingField("model_version"));
    }

    /// <inheritdoc />
    public async Task<ModelVersion> TransitionModelVersionStageAsync(string name, int version, string stage, bool archiveExistingVersions, CancellationToken cancellationToken)
    {
        var request = new TransitionStageRequest { Name = name, Version = RegistryWireMapping.Version(version), Stage = stage, ArchiveExistingVersions = archiveExistingVersions };
        var body = await SendRegistryAsync(HttpMethod.Post, "model-versions/transition-stage", request, Registry.TransitionStageRequest, Registry.ModelVersionResponse, cancellationToken).ConfigureAwait(false);
        return RegistryWireMapping.ToModel(body.ModelVersion ?? throw MissingField("model_version"));
    }

    private Task<TResponse> SendRegistryAsync<TRequest, TResponse>(HttpMethod method, string route, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken) =>
        _transport.SendJsonAsync(method, Api + route, MlflowHttpTransport.Serialize(request, requestType), responseType, null, cancellationToken);

    private static string SearchQuery(string? filter, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken)
    {
        var parts = new List<(string, string)>();
        if (!string.IsNullOrEmpty(filter))
        {
            parts.Add(("filter", filter));
        }

        parts.Add(("max_results", maxResults.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        foreach (var order in orderBy ?? [])
        {
            parts.Add(("order_by", order));
        }

        if (!string.IsNullOrEmpty(pageToken))
        {
            parts.Add(("page_token", pageToken));
        }

        return Query([.. parts]);
    }

    private static string Query(params (string Key, string Value)[] parameters)
    {
        var query = new StringBuilder();
        foreach (var (key, value) in parameters)
        {
            query.Append(query.Length == 0 ? '?' : '&').Append(key).Append('=').Append(Uri.EscapeDataString(value));
        }

        return query.ToString();
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
