using LlmTrack.Stores;

namespace LlmTrack;

/// <summary>What the comparison and the release gate read from and write to existing runs, beside the public facade.</summary>
public sealed partial class Tracker
{
    /// <summary>The artifact repository of an existing run (by its <see cref="RunInfo.ArtifactUri"/>), for reading its tables.</summary>
    /// <param name="artifactUri">The run's artifact root.</param>
    /// <returns>The repository.</returns>
    internal IArtifactRepository GetRunArtifacts(string artifactUri)
    {
        ThrowIfDisposed();
        return _store.GetArtifactRepository(artifactUri);
    }

    /// <summary>Sets tags on an existing run without resuming it (its status and end time stay as they are).</summary>
    /// <param name="runId">The run's id.</param>
    /// <param name="tags">The tags.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the store has the tags.</returns>
    internal Task SetRunTagsAsync(string runId, IReadOnlyList<Tag> tags, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        return _store.LogBatchAsync(runId, [], [], tags, cancellationToken);
    }

    /// <summary>The tracker's clock.</summary>
    internal TimeProvider Time => _timeProvider;
}
