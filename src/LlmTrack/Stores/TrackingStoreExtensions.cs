namespace LlmTrack.Stores;

/// <summary>Operations composed of several store calls.</summary>
internal static class TrackingStoreExtensions
{
    /// <summary>
    /// Gets an experiment's id by name, creating the experiment when missing. Survives a concurrent creator: get →
    /// create → on <c>RESOURCE_ALREADY_EXISTS</c> get again. A deleted experiment is refused (restore it first).
    /// </summary>
    public static async Task<string> GetOrCreateExperimentAsync(this ITrackingStore store, string name, CancellationToken cancellationToken)
    {
        var existing = await store.GetExperimentByNameAsync(name, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return ActiveId(existing);
        }

        try
        {
            return await store.CreateExperimentAsync(name, null, [], cancellationToken).ConfigureAwait(false);
        }
        catch (MlflowException ex) when (ex.ErrorCode == MlflowErrorCode.ResourceAlreadyExists)
        {
            var created = await store.GetExperimentByNameAsync(name, cancellationToken).ConfigureAwait(false)
                ?? throw new MlflowException(MlflowErrorCode.ResourceDoesNotExist, $"Experiment '{name}' was reported to exist but cannot be found.", null, ex);
            return ActiveId(created);
        }
    }

    /// <summary>Every run a search matches, following the store's page tokens (stopping if a token repeats).</summary>
    public static IAsyncEnumerable<RunSnapshot> SearchAllRunsAsync(this ITrackingStore store, IReadOnlyList<string> experimentIds, string? filter, ViewType viewType, IReadOnlyList<string>? orderBy, int pageSize, CancellationToken cancellationToken) =>
        FollowPagesAsync((token, ct) => store.SearchRunsAsync(experimentIds, filter, viewType, pageSize, orderBy, token, ct), cancellationToken);

    /// <summary>Every experiment a search matches, following the store's page tokens (stopping if a token repeats).</summary>
    public static IAsyncEnumerable<Experiment> SearchAllExperimentsAsync(this ITrackingStore store, string? filter, ViewType viewType, IReadOnlyList<string>? orderBy, int pageSize, CancellationToken cancellationToken) =>
        FollowPagesAsync((token, ct) => store.SearchExperimentsAsync(filter, viewType, pageSize, orderBy, token, ct), cancellationToken);

    internal static async IAsyncEnumerable<T> FollowPagesAsync<T>(Func<string?, CancellationToken, Task<Page<T>>> getPage, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? token = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        do
        {
            var page = await getPage(token, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            token = page.NextPageToken;
        }
        while (!string.IsNullOrEmpty(token) && seen.Add(token));
    }

    private static string ActiveId(Experiment experiment) =>
        experiment.LifecycleStage == "deleted"
            ? throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"Experiment '{experiment.Name}' (id {experiment.ExperimentId}) is deleted; restore it or use another name.")
            : experiment.ExperimentId;
}
