using System.Text.Json.Serialization.Metadata;
using LlmTrack.Artifacts;
using LlmTrack.Rest.LoggedModels;
using LlmTrack.Rest.Wire;
using LlmTrack.Stores;

namespace LlmTrack.Rest;

/// <summary>
/// MLflow 3 logged models over REST (<c>/api/2.0/mlflow/logged-models</c>), with the shapes the recorded 3.6 server
/// needs: finalize is a PATCH with the status enum NAME, the params body repeats <c>model_id</c>, delete sends a JSON
/// body, and responses omit empty lists.
/// </summary>
internal sealed partial class MlflowRestStore : ILoggedModelStore
{
    private const string LoggedModelsRoute = Api + "logged-models";

    /// <inheritdoc />
    public async Task<LoggedModel> CreateLoggedModelAsync(string experimentId, string? name, string? sourceRunId, string? modelType, IReadOnlyList<Param> parameters, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(experimentId);
        var request = new CreateLoggedModelRequest
        {
            ExperimentId = experimentId,
            Name = string.IsNullOrEmpty(name) ? null : name,
            ModelType = string.IsNullOrEmpty(modelType) ? null : modelType,
            SourceRunId = string.IsNullOrEmpty(sourceRunId) ? null : sourceRunId,
            Params = parameters is { Count: > 0 } ? LoggedModelWireMapping.ToWire(parameters) : null,
            Tags = tags is { Count: > 0 } ? WireMapping.ToWire(tags) : null,
        };
        var body = await SendLoggedModelAsync(HttpMethod.Post, LoggedModelsRoute, request, LoggedModelJsonContext.Default.CreateLoggedModelRequest, LoggedModelJsonContext.Default.LoggedModelResponse, cancellationToken).ConfigureAwait(false);
        return LoggedModelWireMapping.ToModel(body.Model ?? throw MissingField("model"));
    }

    /// <inheritdoc />
    public async Task<LoggedModel> GetLoggedModelAsync(string modelId, CancellationToken cancellationToken)
    {
        var body = await _transport.SendJsonAsync(HttpMethod.Get, ModelRoute(modelId), null, LoggedModelJsonContext.Default.LoggedModelResponse, null, cancellationToken).ConfigureAwait(false);
        return LoggedModelWireMapping.ToModel(body.Model ?? throw MissingField("model"));
    }

    /// <inheritdoc />
    public async Task<LoggedModel> FinalizeLoggedModelAsync(string modelId, LoggedModelStatus status, CancellationToken cancellationToken)
    {
        var request = new FinalizeLoggedModelRequest { ModelId = modelId, Status = LoggedModelWireMapping.ToWire(status) };
        var body = await SendLoggedModelAsync(HttpMethod.Patch, ModelRoute(modelId), request, LoggedModelJsonContext.Default.FinalizeLoggedModelRequest, LoggedModelJsonContext.Default.LoggedModelResponse, cancellationToken).ConfigureAwait(false);
        return LoggedModelWireMapping.ToModel(body.Model ?? throw MissingField("model"));
    }

    /// <inheritdoc />
    public Task SetLoggedModelTagsAsync(string modelId, IReadOnlyList<Tag> tags, CancellationToken cancellationToken) =>
        SendLoggedModelAsync(HttpMethod.Patch, ModelRoute(modelId) + "/tags", new SetLoggedModelTagsRequest { Tags = WireMapping.ToWire(tags) }, LoggedModelJsonContext.Default.SetLoggedModelTagsRequest, LoggedModelJsonContext.Default.WireEmpty, cancellationToken);

    /// <inheritdoc />
    /// <remarks>A retry's "no tag" after an attempt that may have deleted it already counts as success.</remarks>
    public async Task DeleteLoggedModelTagAsync(string modelId, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var observer = new AttemptObserver();
        try
        {
            await _transport.SendJsonAsync(HttpMethod.Delete, ModelRoute(modelId) + "/tags/" + Uri.EscapeDataString(key), null, LoggedModelJsonContext.Default.WireEmpty, observer, cancellationToken).ConfigureAwait(false);
        }
        catch (MlflowException ex) when (ex.ErrorCode == MlflowErrorCode.ResourceDoesNotExist && observer.MaybeCommitted && ex.Message.Contains("No tag", StringComparison.Ordinal))
        {
            // The lost first attempt deleted the tag.
        }
    }

    /// <inheritdoc />
    public Task LogLoggedModelParamsAsync(string modelId, IReadOnlyList<Param> parameters, CancellationToken cancellationToken) =>
        SendLoggedModelAsync(HttpMethod.Post, ModelRoute(modelId) + "/params", new LogLoggedModelParamsRequest { ModelId = modelId, Params = LoggedModelWireMapping.ToWire(parameters) }, LoggedModelJsonContext.Default.LogLoggedModelParamsRequest, LoggedModelJsonContext.Default.WireEmpty, cancellationToken);

    /// <inheritdoc />
    public Task DeleteLoggedModelAsync(string modelId, CancellationToken cancellationToken) =>
        SendLoggedModelAsync(HttpMethod.Delete, ModelRoute(modelId), new DeleteLoggedModelRequest { ModelId = modelId }, LoggedModelJsonContext.Default.DeleteLoggedModelRequest, LoggedModelJsonContext.Default.WireEmpty, cancellationToken);

    /// <inheritdoc />
    /// <remarks>The recorded 3.6 server (sqlparse 0.4.2) refused every <c>A AND B</c> filter and metric ordering; newer ones accept them.</remarks>
    public async Task<Page<LoggedModel>> SearchLoggedModelsAsync(IReadOnlyList<string> experimentIds, string? filter, IReadOnlyList<LoggedModelOrder>? orderBy, IReadOnlyList<LoggedModelDatasetFilter>? datasets, int? maxResults, string? pageToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(experimentIds);
        var request = new SearchLoggedModelsRequest
        {
            ExperimentIds = [.. experimentIds],
            Filter = string.IsNullOrEmpty(filter) ? null : filter,
            Datasets = datasets is { Count: > 0 } ? [.. datasets.Select(d => new WireDatasetFilter { DatasetName = d.DatasetName, DatasetDigest = d.DatasetDigest })] : null,
            MaxResults = maxResults,
            OrderBy = orderBy is { Count: > 0 } ? [.. orderBy.Select(o => new WireLoggedModelOrder { FieldName = o.FieldName, Ascending = o.Ascending, DatasetName = o.DatasetName, DatasetDigest = o.DatasetDigest })] : null,
            PageToken = string.IsNullOrEmpty(pageToken) ? null : pageToken,
        };
        var body = await SendLoggedModelAsync(HttpMethod.Post, LoggedModelsRoute + "/search", request, LoggedModelJsonContext.Default.SearchLoggedModelsRequest, LoggedModelJsonContext.Default.SearchLoggedModelsResponse, cancellationToken).ConfigureAwait(false);
        var items = body.Models?.Select(LoggedModelWireMapping.ToModel).ToArray() ?? [];
        return new Page<LoggedModel>(items, string.IsNullOrEmpty(body.NextPageToken) ? null : body.NextPageToken);
    }

    /// <inheritdoc />
    public Task LogOutputsAsync(string runId, IReadOnlyList<LoggedModelOutput> models, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(models);
        var request = new RunModelsRequest { RunId = runId, Models = [.. models.Select(m => new WireModelRef { ModelId = m.ModelId, Step = m.Step })] };
        return SendLoggedModelAsync(HttpMethod.Post, Api + "runs/outputs", request, LoggedModelJsonContext.Default.RunModelsRequest, LoggedModelJsonContext.Default.WireEmpty, cancellationToken);
    }

    /// <inheritdoc />
    public Task LogModelInputsAsync(string runId, IReadOnlyList<string> modelIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(modelIds);
        var request = new RunModelsRequest { RunId = runId, Models = [.. modelIds.Select(id => new WireModelRef { ModelId = id })] };
        return SendLoggedModelAsync(HttpMethod.Post, Api + "runs/log-inputs", request, LoggedModelJsonContext.Default.RunModelsRequest, LoggedModelJsonContext.Default.WireEmpty, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>One <c>runs/log-batch</c> whose metric objects carry <c>model_id</c>, <c>dataset_name</c>, <c>dataset_digest</c> and <c>run_id</c>, as MLflow's client sends them.</remarks>
    public Task LogModelMetricsAsync(string runId, IReadOnlyList<LoggedModelMetric> metrics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (metrics.Count == 0)
        {
            return Task.CompletedTask;
        }

        var request = new LogModelMetricsBatchRequest { RunId = runId, Metrics = [.. metrics.Select(m => LoggedModelWireMapping.ToWire(m, runId))] };
        return SendLoggedModelAsync(HttpMethod.Post, Api + "runs/log-batch", request, LoggedModelJsonContext.Default.LogModelMetricsBatchRequest, LoggedModelJsonContext.Default.WireEmpty, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ArtifactFile>> ListLoggedModelArtifactsAsync(string modelId, string? path, CancellationToken cancellationToken)
    {
        var folder = string.IsNullOrEmpty(path) ? null : string.Join('/', RelativeArtifactPath.Split(path, nameof(path)));
        var uri = ModelRoute(modelId) + "/artifacts/directories" + (folder is null ? "" : "?artifact_directory_path=" + Uri.EscapeDataString(folder));
        var body = await _transport.SendJsonAsync(HttpMethod.Get, uri, null, LoggedModelJsonContext.Default.ListArtifactsResponse, null, cancellationToken).ConfigureAwait(false);
        return body.Files?.Select(f => new ArtifactFile(f.Path ?? "", f.IsDir, f.IsDir ? null : f.FileSize)).ToArray() ?? [];
    }

    private static string ModelRoute(string modelId)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        return LoggedModelsRoute + "/" + Uri.EscapeDataString(modelId);
    }

    private Task<TResponse> SendLoggedModelAsync<TRequest, TResponse>(HttpMethod method, string relativeUri, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken) =>
        _transport.SendJsonAsync(method, relativeUri, MlflowHttpTransport.Serialize(request, requestType), responseType, null, cancellationToken);
}
