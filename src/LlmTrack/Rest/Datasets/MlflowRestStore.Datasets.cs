using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using LlmTrack.Rest.Datasets;
using LlmTrack.Stores;

namespace LlmTrack.Rest;

/// <summary>MLflow 3's managed evaluation data sets over <c>/api/3.0/mlflow/datasets</c> (tags and records as JSON text).</summary>
internal sealed partial class MlflowRestStore : IEvaluationDatasetStore
{
    private static string DatasetPath(string datasetId) => Api3 + "datasets/" + Uri.EscapeDataString(datasetId);

    /// <inheritdoc/>
    public async Task<ManagedEvaluationDataset> CreateDatasetAsync(string name, IReadOnlyList<string> experimentIds, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var request = new CreateDatasetRequest { Name = name, ExperimentIds = experimentIds.ToList(), Tags = DatasetWireMapping.TagsText(tags) };
        var body = await SendDatasetJsonAsync(HttpMethod.Post, Api3 + "datasets/create", request, DatasetJsonContext.Default.CreateDatasetRequest, DatasetJsonContext.Default.DatasetResponse, cancellationToken).ConfigureAwait(false);
        return ReadDataset(body);
    }

    /// <inheritdoc/>
    public async Task<ManagedEvaluationDataset> GetDatasetAsync(string datasetId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(datasetId);
        var body = await _transport.SendJsonAsync(HttpMethod.Get, DatasetPath(datasetId), null, DatasetJsonContext.Default.DatasetResponse, null, cancellationToken).ConfigureAwait(false);
        return ReadDataset(body);
    }

    /// <inheritdoc/>
    public async Task<DatasetUpsertResult> UpsertRecordsAsync(string datasetId, IReadOnlyList<ManagedDatasetRecord> records, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(datasetId);
        var request = new UpsertRecordsRequest { Records = DatasetWireMapping.RecordsText(records) };
        var body = await SendDatasetJsonAsync(HttpMethod.Post, DatasetPath(datasetId) + "/records", request, DatasetJsonContext.Default.UpsertRecordsRequest, DatasetJsonContext.Default.UpsertRecordsResponse, cancellationToken).ConfigureAwait(false);
        return new DatasetUpsertResult(body.InsertedCount, body.UpdatedCount);
    }

    /// <inheritdoc/>
    public async Task<Page<ManagedDatasetRecord>> GetRecordsAsync(string datasetId, int maxResults, string? pageToken, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(datasetId);
        var path = DatasetPath(datasetId) + "/records?max_results=" + maxResults.ToString(CultureInfo.InvariantCulture);
        if (!string.IsNullOrEmpty(pageToken))
        {
            path += "&page_token=" + Uri.EscapeDataString(pageToken);
        }

        var body = await _transport.SendJsonAsync(HttpMethod.Get, path, null, DatasetJsonContext.Default.GetRecordsResponse, null, cancellationToken).ConfigureAwait(false);
        return new Page<ManagedDatasetRecord>(DatasetWireMapping.ParseRecords(body.Records), string.IsNullOrEmpty(body.NextPageToken) ? null : body.NextPageToken);
    }

    /// <inheritdoc/>
    public async Task<Page<ManagedEvaluationDataset>> SearchDatasetsAsync(IReadOnlyList<string>? experimentIds, string? filter, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken)
    {
        var request = new SearchDatasetsRequest
        {
            ExperimentIds = experimentIds is { Count: > 0 } ids ? ids.ToList() : null,
            FilterString = string.IsNullOrEmpty(filter) ? null : filter,
            MaxResults = maxResults,
            OrderBy = orderBy is { Count: > 0 } order ? order.ToList() : null,
            PageToken = string.IsNullOrEmpty(pageToken) ? null : pageToken,
        };
        var body = await SendDatasetJsonAsync(HttpMethod.Post, Api3 + "datasets/search", request, DatasetJsonContext.Default.SearchDatasetsRequest, DatasetJsonContext.Default.SearchDatasetsResponse, cancellationToken).ConfigureAwait(false);
        return new Page<ManagedEvaluationDataset>((body.Datasets ?? []).Select(DatasetWireMapping.ToDataset).ToList(), string.IsNullOrEmpty(body.NextPageToken) ? null : body.NextPageToken);
    }

    /// <inheritdoc/>
    public Task SetDatasetTagsAsync(string datasetId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(datasetId);
        return SendDatasetJsonAsync(HttpMethod.Patch, DatasetPath(datasetId) + "/tags", new SetDatasetTagsRequest { Tags = DatasetWireMapping.TagsText(tags) }, DatasetJsonContext.Default.SetDatasetTagsRequest, DatasetJsonContext.Default.DatasetEmptyResponse, cancellationToken);
    }

    /// <inheritdoc/>
    public Task DeleteDatasetTagAsync(string datasetId, string key, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(datasetId);
        ArgumentException.ThrowIfNullOrEmpty(key);
        return _transport.SendJsonAsync(HttpMethod.Delete, DatasetPath(datasetId) + "/tags/" + Uri.EscapeDataString(key), null, DatasetJsonContext.Default.DatasetEmptyResponse, null, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<ManagedEvaluationDataset> ChangeDatasetExperimentsAsync(string datasetId, IReadOnlyList<string> experimentIds, bool add, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(datasetId);
        var request = new DatasetExperimentsRequest { DatasetId = datasetId, ExperimentIds = experimentIds.ToList() };
        var body = await SendDatasetJsonAsync(HttpMethod.Post, DatasetPath(datasetId) + (add ? "/add-experiments" : "/remove-experiments"), request, DatasetJsonContext.Default.DatasetExperimentsRequest, DatasetJsonContext.Default.DatasetResponse, cancellationToken).ConfigureAwait(false);
        return ReadDataset(body);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> GetDatasetExperimentIdsAsync(string datasetId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(datasetId);
        var body = await _transport.SendJsonAsync(HttpMethod.Get, DatasetPath(datasetId) + "/experiment-ids", null, DatasetJsonContext.Default.DatasetExperimentIdsResponse, null, cancellationToken).ConfigureAwait(false);
        return body.ExperimentIds ?? [];
    }

    /// <inheritdoc/>
    public Task DeleteDatasetAsync(string datasetId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(datasetId);
        return _transport.SendJsonAsync(HttpMethod.Delete, DatasetPath(datasetId), null, DatasetJsonContext.Default.DatasetEmptyResponse, null, cancellationToken);
    }

    private static ManagedEvaluationDataset ReadDataset(DatasetResponse body) =>
        DatasetWireMapping.ToDataset(body.Dataset ?? throw new MlflowException(MlflowErrorCode.InternalError, "The MLflow server answered a data set request without a dataset."));

    private Task<TResponse> SendDatasetJsonAsync<TRequest, TResponse>(HttpMethod method, string path, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken) =>
        _transport.SendJsonAsync(method, path, MlflowHttpTransport.Serialize(request, requestType), responseType, null, cancellationToken);
}
