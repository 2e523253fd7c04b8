using LlmTrack.Resilience;
using LlmTrack.Stores;
using Microsoft.Extensions.Logging;

namespace LlmTrack.Rest;

/// <summary>How an <see cref="MlflowRestStore"/> is built, beyond its HTTP client and <see cref="LlmTrackOptions"/>; every part is optional.</summary>
internal sealed record MlflowRestStoreSettings
{
    /// <summary>Clock for timeouts and back-off (default: system clock).</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>Logger (Debug: method, path and status of each request).</summary>
    public ILogger? Logger { get; init; }

    /// <summary>Transport counters to update (retries, failures, reconciled batches).</summary>
    public TransportCounters? Counters { get; init; }

    /// <summary>Called for each retry.</summary>
    public Action<RetryInfo>? OnRetry { get; init; }

    /// <summary>
    /// Resolves artifact URIs that are not <c>mlflow-artifacts</c> or HTTP(S) (e.g. a local path when the server does
    /// not proxy artifacts); <see langword="null"/> when unsupported.
    /// </summary>
    public Func<string, IArtifactRepository?>? OtherArtifactRepositories { get; init; }

    /// <summary>Disposed with the store (e.g. a standalone client factory).</summary>
    public IDisposable? OwnedResource { get; init; }

    /// <summary>Uniform [0, 1) source for back-off jitter.</summary>
    public Func<double>? Random { get; init; }
}
