namespace LlmTrack.Stores;

/// <summary>Operations built from <see cref="ITrackingStore"/> calls, the same for every store.</summary>
internal static class TrackingStoreExtensions
{
    /// <summary>
    /// The id of the experiment named <paramref name="name"/>, creating it when missing. Survives a
    /// concurrent creator: get → create → on <c>RESOURCE_ALREADY_EXISTS</c> get again.
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="name">The experiment name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The experiment id.</returns>
    public static async Task<string> GetOrCreateExperimentAsync(this ITrackingStore store, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(name);
        var existing = await store.GetExperimentByNameAsync(name, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return existing.ExperimentId;
        }

        try
        {
            return await store.CreateExperimentAsync(name, null, [], cancellationToken).ConfigureAwait(false);
        }
        catch (MlflowException ex) when (ex.ErrorCode == MlflowErrorCode.ResourceAlreadyExists)
        {
            var created = await store.GetExperimentByNameAsync(name, cancellationToken).ConfigureAwait(false);
            if (created is null)
            {
                throw;
            }

            return created.ExperimentId;
        }
    }
}
