using System.Runtime.CompilerServices;
using LlmTrack.Stores;

namespace LlmTrack;

/// <summary>The tracker's MLflow 3 logged-model reads and deletes (logging is <see cref="RunModelExtensions"/>).</summary>
public sealed partial class Tracker
{
    private const string LoggedModelsFeature = "logged models";

    /// <summary>Gets a logged model with its params, tags and metrics.</summary>
    /// <param name="modelId">The model id (<c>m-…</c>).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The model.</returns>
    /// <exception cref="MlflowException"><c>RESOURCE_DOES_NOT_EXIST</c> when there is no such model (or it was deleted).</exception>
    public Task<LoggedModel> GetLoggedModelAsync(string modelId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        return GetStoreCapability<ILoggedModelStore>(LoggedModelsFeature).GetLoggedModelAsync(modelId, cancellationToken);
    }

    /// <summary>Deletes a logged model (its files stay).</summary>
    /// <param name="modelId">The model id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the model is marked deleted.</returns>
    public Task DeleteLoggedModelAsync(string modelId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        return GetStoreCapability<ILoggedModelStore>(LoggedModelsFeature).DeleteLoggedModelAsync(modelId, cancellationToken);
    }

    /// <summary>
    /// Searches the logged models of experiments, following pages. Filters are comparisons joined by AND on attributes
    /// (<c>name</c>, <c>model_type</c>, <c>status</c>, <c>source_run_id</c>, <c>creation_time</c>, …), <c>metrics.x</c>,
    /// <c>params.x</c> and <c>tags.x</c>. (The recorded MLflow 3.6 server refused AND and metric ordering; the local store
    /// supports both.)
    /// </summary>
    /// <param name="experimentIds">The experiments to search.</param>
    /// <param name="filter">The filter, e.g. <c>metrics.accuracy &gt; 0.8</c>.</param>
    /// <param name="orderBy">Sort keys (default: newest first).</param>
    /// <param name="datasets">Only metrics on these data sets count.</param>
    /// <param name="pageSize">Models per request.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>The matching models.</returns>
    public async IAsyncEnumerable<LoggedModel> SearchLoggedModelsAsync(
        IReadOnlyList<string> experimentIds,
        string? filter = null,
        IReadOnlyList<LoggedModelOrder>? orderBy = null,
        IReadOnlyList<LoggedModelDatasetFilter>? datasets = null,
        int pageSize = 100,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experimentIds);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var store = GetStoreCapability<ILoggedModelStore>(LoggedModelsFeature);
        string? token = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        do
        {
            var page = await store.SearchLoggedModelsAsync(experimentIds, filter, orderBy, datasets, pageSize, token, cancellationToken).ConfigureAwait(false);
            foreach (var model in page.Items)
            {
                yield return model;
            }

            token = page.NextPageToken;
        }
        while (token is not null && seen.Add(token));
    }
}
