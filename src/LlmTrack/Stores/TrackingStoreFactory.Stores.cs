using LlmTrack.Artifacts;
using LlmTrack.Rest;
using LlmTrack.Stores.Sqlite;
using Microsoft.Extensions.Logging;

namespace LlmTrack.Stores;

internal static partial class TrackingStoreFactory
{
    private static partial ITrackingStore CreateStore(string trackingUri, LlmTrackOptions options, IHttpClientFactory? httpClientFactory, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        if (Configuration.TrackingUri.IsMemory(trackingUri))
        {
            return SqliteTrackingStore.OpenInMemory(timeProvider, loggerFactory.CreateLogger<SqliteTrackingStore>());
        }

        if (trackingUri.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            return SqliteTrackingStore.Open(trackingUri, timeProvider, loggerFactory.CreateLogger<SqliteTrackingStore>());
        }

        if (Configuration.TrackingUri.IsHttp(trackingUri))
        {
            // Durable mode is not the factory's business: the tracking API wraps this store when it is on.
            return CreateServerStore(trackingUri, options, httpClientFactory, timeProvider, loggerFactory);
        }

        throw new MlflowException(
            MlflowErrorCode.InvalidParameterValue,
            $"Unsupported tracking URI '{Configuration.TrackingUri.Redact(trackingUri)}'. Use http(s)://host:port for an MLflow tracking server, " +
            "sqlite:///relative/path.db / sqlite:////absolute/path.db for a local store that MLflow opens (default: sqlite:///mlflow.db), or memory: for an in-process store (tests).");
    }

    /// <summary>The MLflow REST store for an <c>http(s)://</c> tracking URI (without durable mode).</summary>
    internal static ITrackingStore CreateServerStore(string trackingUri, LlmTrackOptions options, IHttpClientFactory? httpClientFactory, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        // A server that does not proxy artifacts hands out local paths or file: URIs; those are copied directly.
        static IArtifactRepository? LocalArtifacts(string artifactUri) =>
            LocalArtifactRepository.IsLocal(artifactUri) ? LocalArtifactRepository.FromUri(artifactUri) : null;
        var settings = new MlflowRestStoreSettings
        {
            TimeProvider = timeProvider,
            Logger = loggerFactory.CreateLogger<MlflowRestStore>(),
            OtherArtifactRepositories = LocalArtifacts,
        };
        return httpClientFactory is null
            ? MlflowRestStore.CreateStandalone(options, settings)
            : MlflowRestStore.Create(httpClientFactory, options, settings);
    }
}
