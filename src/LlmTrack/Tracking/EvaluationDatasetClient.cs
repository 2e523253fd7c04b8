using System.Runtime.CompilerServices;
using LlmTrack.Stores;

namespace LlmTrack;

/// <summary>
/// Manages MLflow 3 evaluation data sets (get one from <see cref="Tracker.EvaluationDatasets"/>). Records with the
/// same inputs are one record: upserting them again updates their expectations. An unknown id is
/// <c>RESOURCE_DOES_NOT_EXIST</c>.
/// </summary>
public sealed class EvaluationDatasetClient
{
    private const string Feature = "evaluation data sets (MLflow 3's datasets API)";
    private readonly Tracker _tracker;

    internal EvaluationDatasetClient(Tracker tracker) => _tracker = tracker;

    private IEvaluationDatasetStore Store => _tracker.GetStoreCapability<IEvaluationDatasetStore>(Feature);

    /// <summary>Creates a data set associated with some experiments.</summary>
    /// <param name="name">Its name (required).</param>
    /// <param name="experimentIds">The experiments to associate it with.</param>
    /// <param name="tags">Its tags, if any.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The created data set, with its id.</returns>
    public Task<ManagedEvaluationDataset> CreateAsync(string name, IReadOnlyList<string>? experimentIds = null, IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Store.CreateDatasetAsync(name, experimentIds ?? [], tags ?? new Dictionary<string, string>(), cancellationToken);
    }

    /// <summary>Reads a data set with its schema, profile and digest.</summary>
    /// <param name="datasetId">The id (<c>d-…</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The data set.</returns>
    public Task<ManagedEvaluationDataset> GetAsync(string datasetId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(datasetId);
        return Store.GetDatasetAsync(datasetId, cancellationToken);
    }

    /// <summary>Inserts records; those whose inputs exist already are updated (expectations merged).</summary>
    /// <param name="datasetId">The data set.</param>
    /// <param name="records">The records.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many were inserted and updated.</returns>
    public Task<DatasetUpsertResult> UpsertRecordsAsync(string datasetId, IReadOnlyList<ManagedDatasetRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(datasetId);
        ArgumentNullException.ThrowIfNull(records);
        return records.Count == 0 ? Task.FromResult(new DatasetUpsertResult(0, 0)) : Store.UpsertRecordsAsync(datasetId, records, cancellationToken);
    }

    /// <summary>Every record of a data set, following the pages.</summary>
    /// <param name="datasetId">The data set.</param>
    /// <param name="pageSize">Records per request.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The records.</returns>
    public async IAsyncEnumerable<ManagedDatasetRecord> GetRecordsAsync(string datasetId, int pageSize = 1000, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(datasetId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        var store = Store;
        await foreach (var record in TrackingStoreExtensions.FollowPagesAsync((token, ct) => store.GetRecordsAsync(datasetId, pageSize, token, ct), cancellationToken).ConfigureAwait(false))
        {
            yield return record;
        }
    }

    /// <summary>Searches data sets (filter keys such as <c>name</c>, <c>created_time</c>, <c>tags.x</c>), following the pages.</summary>
    /// <param name="experimentIds">Only data sets of these experiments, or <see langword="null"/> for all.</param>
    /// <param name="filter">MLflow's <c>filter_string</c>, e.g. <c>name = 'qa-eval'</c>.</param>
    /// <param name="orderBy">Order clauses, e.g. <c>created_time DESC</c>.</param>
    /// <param name="pageSize">Data sets per request.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The matching data sets.</returns>
    public async IAsyncEnumerable<ManagedEvaluationDataset> SearchAsync(IReadOnlyList<string>? experimentIds = null, string? filter = null, IReadOnlyList<string>? orderBy = null, int pageSize = 50, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        var store = Store;
        await foreach (var dataset in TrackingStoreExtensions.FollowPagesAsync((token, ct) => store.SearchDatasetsAsync(experimentIds, filter, pageSize, orderBy, token, ct), cancellationToken).ConfigureAwait(false))
        {
            yield return dataset;
        }
    }

    /// <summary>Sets tags, merged with the existing ones.</summary>
    /// <param name="datasetId">The data set.</param>
    /// <param name="tags">The tags.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when they are set.</returns>
    public Task SetTagsAsync(string datasetId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(datasetId);
        ArgumentNullException.ThrowIfNull(tags);
        return Store.SetDatasetTagsAsync(datasetId, tags, cancellationToken);
    }

    /// <summary>Deletes one tag.</summary>
    /// <param name="datasetId">The data set.</param>
    /// <param name="key">The tag's key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when it is deleted.</returns>
    public Task DeleteTagAsync(string datasetId, string key, CancellationToken cancellationToken = default) => Store.DeleteDatasetTagAsync(datasetId, key, cancellationToken);

    /// <summary>Associates the data set with more experiments.</summary>
    /// <param name="datasetId">The data set.</param>
    /// <param name="experimentIds">The experiments.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The data set as stored.</returns>
    public Task<ManagedEvaluationDataset> AddExperimentsAsync(string datasetId, IReadOnlyList<string> experimentIds, CancellationToken cancellationToken = default) => Store.ChangeDatasetExperimentsAsync(datasetId, experimentIds, add: true, cancellationToken);

    /// <summary>Dissociates the data set from experiments.</summary>
    /// <param name="datasetId">The data set.</param>
    /// <param name="experimentIds">The experiments.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The data set as stored.</returns>
    public Task<ManagedEvaluationDataset> RemoveExperimentsAsync(string datasetId, IReadOnlyList<string> experimentIds, CancellationToken cancellationToken = default) => Store.ChangeDatasetExperimentsAsync(datasetId, experimentIds, add: false, cancellationToken);

    /// <summary>The experiments the data set is associated with.</summary>
    /// <param name="datasetId">The data set.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Their ids.</returns>
    public Task<IReadOnlyList<string>> GetExperimentIdsAsync(string datasetId, CancellationToken cancellationToken = default) => Store.GetDatasetExperimentIdsAsync(datasetId, cancellationToken);

    /// <summary>Deletes a data set (deleting it again is no error).</summary>
    /// <param name="datasetId">The data set.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when it is deleted.</returns>
    public Task DeleteAsync(string datasetId, CancellationToken cancellationToken = default) => Store.DeleteDatasetAsync(datasetId, cancellationToken);
}
