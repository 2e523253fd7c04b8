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

    private static string ActiveId(Experiment experiment) =>
        experiment.LifecycleStage == "deleted"
            ? throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"Experiment '{experiment.Name}' (id {experiment.ExperimentId}) is deleted; restore it or use another name.")
            : experiment.ExperimentId;
}
