using LlmTrack.Configuration;
using LlmTrack.Stores;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmTrack.Sync;

/// <summary>
/// The two ends of a copy: opening the source and target stores by tracking URI (neither durable), and the id a copy
/// records for its source store.
/// </summary>
internal static class SyncEndpoints
{
    /// <summary>
    /// Opens the source and the target store. Neither is durable: a journal would acknowledge writes the target never
    /// saw (and the copy reads the source).
    /// </summary>
    /// <param name="fromUri">The source's tracking URI.</param>
    /// <param name="toUri">The target's tracking URI.</param>
    /// <param name="targetOptions">Credentials, TLS and retry settings for the target (its tracking URI and durable mode are ignored); default: MLflow's environment variables.</param>
    /// <returns>Both stores, owned by the caller.</returns>
    public static (ITrackingStore Source, ITrackingStore Target) Open(string fromUri, string toUri, LlmTrackOptions? targetOptions)
    {
        var sourceOptions = LlmTrackOptionsCopy.WithTrackingUri(LlmTrackOptions.FromEnvironment(), fromUri.Trim(), durable: false);
        var targetStoreOptions = LlmTrackOptionsCopy.WithTrackingUri(targetOptions ?? LlmTrackOptions.FromEnvironment(), toUri.Trim(), durable: false);
        var source = TrackingStoreFactory.Create(sourceOptions, null, TimeProvider.System, NullLoggerFactory.Instance);
        try
        {
            return (source, TrackingStoreFactory.Create(targetStoreOptions, null, TimeProvider.System, NullLoggerFactory.Instance));
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The default id of a store: <c>sqlite://</c> + the absolute database path for SQLite (the same from any working
    /// folder), otherwise the URI without credentials and trailing <c>/</c>.
    /// </summary>
    /// <param name="trackingUri">The store's tracking URI.</param>
    /// <returns>The id.</returns>
    public static string StoreIdFromUri(string trackingUri)
    {
        ArgumentNullException.ThrowIfNull(trackingUri);
        var uri = trackingUri.Trim();
        return uri.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase)
            ? "sqlite://" + Path.GetFullPath(TrackingUri.GetSqliteDatabasePath(uri)).Replace('\\', '/')
            : TrackingUri.Redact(uri).TrimEnd('/');
    }

    /// <summary>The store id as recorded in tags: quotes would end the string literal of the search filter (MLflow's filter grammar has no escape).</summary>
    public static string SanitizeStoreId(string id) =>
        id.Trim().Replace('\'', '_').Replace('"', '_').Replace('`', '_');
}
