namespace LlmTrack.Stores;

/// <summary>
/// MLflow 3's managed evaluation data sets (<c>/api/3.0/mlflow/datasets</c>). An unknown id is
/// <c>RESOURCE_DOES_NOT_EXIST</c>.
/// </summary>
internal interface IEvaluationDatasetStore
{
    /// <summary>Creates a data set.</summary>
    Task<ManagedEvaluationDataset> CreateDatasetAsync(string name, IReadOnlyList<string> experimentIds, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken);

    /// <summary>Reads a data set (with schema, profile and digest).</summary>
    Task<ManagedEvaluationDataset> GetDatasetAsync(string datasetId, CancellationToken cancellationToken);

    /// <summary>Inserts records, updating those whose inputs exist already.</summary>
    Task<DatasetUpsertResult> UpsertRecordsAsync(string datasetId, IReadOnlyList<ManagedDatasetRecord> records, CancellationToken cancellationToken);

    /// <summary>One page of a data set's records.</summary>
    Task<Page<ManagedDatasetRecord>> GetRecordsAsync(string datasetId, int maxResults, string? pageToken, CancellationToken cancellationToken);

    /// <summary>One page of a data set search.</summary>
    Task<Page<ManagedEvaluationDataset>> SearchDatasetsAsync(IReadOnlyList<string>? experimentIds, string? filter, int maxResults, IReadOnlyList<string>? orderBy, string? pageToken, CancellationToken cancellationToken);

    /// <summary>Sets tags (merged with the existing ones).</summary>
    Task SetDatasetTagsAsync(string datasetId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken);

    /// <summary>Deletes one tag.</summary>
    Task DeleteDatasetTagAsync(string datasetId, string key, CancellationToken cancellationToken);

    /// <summary>Associates or dissociates experiments.</summary>
    Task<ManagedEvaluationDataset> ChangeDatasetExperimentsAsync(string datasetId, IReadOnlyList<string> experimentIds, bool add, CancellationToken cancellationToken);

    /// <summary>The experiments a data set is associated with.</summary>
    Task<IReadOnlyList<string>> GetDatasetExperimentIdsAsync(string datasetId, CancellationToken cancellationToken);

    /// <summary>Deletes a data set (again: no error).</summary>
    Task DeleteDatasetAsync(string datasetId, CancellationToken cancellationToken);
}
