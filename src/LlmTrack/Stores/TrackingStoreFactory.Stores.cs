using Microsoft.Extensions.Logging;

namespace LlmTrack.Stores;

// Replaced at merge time by the implementation that knows the REST and SQLite stores.
internal static partial class TrackingStoreFactory
{
    private static partial ITrackingStore CreateStore(string trackingUri, LlmTrackOptions options, IHttpClientFactory? httpClientFactory, TimeProvider timeProvider, ILoggerFactory loggerFactory) =>
        throw new MlflowException(MlflowErrorCode.InvalidParameterValue, $"No store for tracking URI '{Redact(trackingUri)}'.");
}
