using LlmTrack.Configuration;
using Microsoft.Extensions.Logging;

namespace LlmTrack.Stores;

/// <summary>
/// Chooses the store for a tracking URI: <c>http(s)://</c> → the MLflow REST store, <c>sqlite:///</c> → the local
/// SQLite store. The choice itself (<see cref="CreateStore"/>) lives in <c>TrackingStoreFactory.Stores.cs</c>, next to
/// the stores it knows.
/// </summary>
internal static partial class TrackingStoreFactory
{
    /// <summary>The name of the <see cref="HttpClient"/> the REST store asks <see cref="IHttpClientFactory"/> for.</summary>
    public const string HttpClientName = Rest.MlflowHttpClient.ClientName;

    /// <summary>The tracking URI when none is configured (MLflow 3.7+'s default).</summary>
    public const string DefaultTrackingUri = "sqlite:///mlflow.db";

    /// <summary>Creates the store for <see cref="LlmTrackOptions.TrackingUri"/> (or <see cref="DefaultTrackingUri"/>).</summary>
    public static ITrackingStore Create(LlmTrackOptions options, IHttpClientFactory? httpClientFactory, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        var uri = string.IsNullOrWhiteSpace(options.TrackingUri) ? DefaultTrackingUri : options.TrackingUri.Trim();
        return CreateStore(uri, options, httpClientFactory, timeProvider, loggerFactory);
    }


    private static partial ITrackingStore CreateStore(string trackingUri, LlmTrackOptions options, IHttpClientFactory? httpClientFactory, TimeProvider timeProvider, ILoggerFactory loggerFactory);
}
