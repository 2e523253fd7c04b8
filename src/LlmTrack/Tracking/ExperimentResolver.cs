using System.Collections.Concurrent;
using LlmTrack.Delivery;
using LlmTrack.Stores;

namespace LlmTrack.Tracking;

/// <summary>
/// Which experiment a new run goes to (its options, else the tracker's: id and name must then agree; else Default),
/// with experiment ids cached by name. In durable mode the server gets a bounded time to answer and a named
/// experiment may be resolved later, when the run is delivered.
/// </summary>
internal sealed class ExperimentResolver(ITrackingStore store, IJournalingStore? journaling, LlmTrackOptions trackerOptions, Action throwIfDisposed)
{
    private readonly ConcurrentDictionary<string, string> _experimentIds = new(StringComparer.Ordinal);

    /// <summary>An experiment's id by name, creating the experiment when missing (cached once known).</summary>
    public async Task<string> GetOrCreateAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        throwIfDisposed();
        if (_experimentIds.TryGetValue(name, out var cached))
        {
            return cached;
        }

        var id = await store.GetOrCreateExperimentAsync(name, cancellationToken).ConfigureAwait(false);
        _experimentIds.TryAdd(name, id);
        return id;
    }

    /// <summary>The experiment id for a run started with <paramref name="options"/>.</summary>
    public Task<string> ResolveForStartAsync(RunOptions options, CancellationToken cancellationToken)
    {
        var name = !string.IsNullOrEmpty(options.ExperimentId) ? null : options.ExperimentName ?? trackerOptions.ExperimentName;
        return journaling is { } durable
            ? durable.ResolveExperimentForNewRunAsync(ct => ResolveIdAsync(options, ct), string.IsNullOrWhiteSpace(name) ? null : name, cancellationToken)
            : ResolveIdAsync(options, cancellationToken);
    }

    private async Task<string> ResolveIdAsync(RunOptions options, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(options.ExperimentId))
        {
            return options.ExperimentId;
        }

        if (!string.IsNullOrWhiteSpace(options.ExperimentName))
        {
            return await GetOrCreateAsync(options.ExperimentName, cancellationToken).ConfigureAwait(false);
        }

        if (!string.IsNullOrWhiteSpace(trackerOptions.ExperimentName))
        {
            var id = await GetOrCreateAsync(trackerOptions.ExperimentName, cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrEmpty(trackerOptions.ExperimentId) && trackerOptions.ExperimentId != id)
            {
                throw new MlflowException(
                    MlflowErrorCode.InvalidParameterValue,
                    $"The configured experiment name '{trackerOptions.ExperimentName}' (id '{id}') and experiment id '{trackerOptions.ExperimentId}' name different experiments.");
            }

            return id;
        }

        return string.IsNullOrEmpty(trackerOptions.ExperimentId) ? "0" : trackerOptions.ExperimentId;
    }
}
